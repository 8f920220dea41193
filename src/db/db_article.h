/* db_article: articles (Markdown rendered safe on save), their places in columns, their
 * search index, and members' reading of them (docs/articles.md). */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#define DB_ARTICLE_TITLE_MAX 200
#define DB_ARTICLE_SUMMARY_MAX 500
#define DB_ARTICLE_BODY_MAX 100000
#define DB_ARTICLE_AUTHOR_MAX 100

/* What an article is made of. For db_article_update a NULL text (and has_window false)
 * keeps the stored value. Times are Unix seconds; 0: none. */
typedef struct {
  const char *title;      /* 1..200 characters, one line */
  const char *summary;    /* ≤ 500 characters */
  const char *body_md;    /* Markdown, ≤ 100,000 bytes */
  const char *cover_url;  /* "" clears it */
  bool has_window;
  gint64 publish_from, publish_until;
  bool publish;           /* create: published at once (else a draft) */
  const char *created_by; /* member id, or NULL */
  const char *author;     /* the name it is credited to (≤ 100 characters, one line); "" none */
} ArticleInput;

typedef struct {
  gint64 id;
  char *title, *summary, *body_md, *body_html, *cover_url; /* cover_url NULL: none */
  char *author;           /* "" when none */
  gint64 read_seconds;
  bool published;         /* status 'published' (see is_public for the window) */
  gint64 publish_from, publish_until, published_at, created_at, updated_at;
  bool is_public;         /* published and inside its window at the time it was read */
} Article;

/* Creates an article from IN at NOW (renders the body, indexes it for search). Inside the
 * caller's transaction when one is open. Returns 0 with *ID, or -EINVAL (a field out of its
 * bounds, a body that is not UTF-8, a window that ends before it starts), -EIO. This is the
 * one way to make an article (the API and accepted submissions use it). */
int db_article_create(Db *db, const ArticleInput *in, gint64 now, gint64 *id);

/* Changes article ID's fields given in IN (NULL: unchanged). Returns 0, -ENOENT, -EINVAL, -EIO. */
int db_article_update(Db *db, gint64 id, const ArticleInput *in, gint64 now);

/* Publishes (or with PUBLISH false takes back to draft) article ID. Returns 0, -ENOENT, -EIO. */
int db_article_publish(Db *db, gint64 id, bool publish, gint64 now);

/* Deletes article ID: it leaves every list, column and search (the row stays for the
 * ledger's and readers' sake). Returns 0, -ENOENT, -EIO. */
int db_article_delete(Db *db, gint64 id, gint64 now);

/* Article ID (not deleted) as of NOW. Returns 0 with *OUT (article_free), -ENOENT, -EIO. */
int db_article_get(Db *db, gint64 id, gint64 now, Article **out);
void article_free(Article **a);

/* A as JSON: with the body's HTML when WITH_BODY, and its Markdown when EDITOR. */
JsonNode *article_json(const Article *a, bool with_body, bool editor);

typedef struct {
  bool public_only;   /* only articles public at NOW */
  gint64 now;
  const char *q;      /* search text, or NULL */
  gint64 column_id;   /* > 0: only that column's, in its order, with "position" */
  gint64 limit, offset;
} ArticleQuery;

/* Articles matching Q (newest first; a column's in its order) as {articles: [...], total}.
 * NULL with *rc on failure. */
JsonNode *db_article_list_json(Db *db, const ArticleQuery *q, int *rc);

/* Puts article ARTICLE in column COLUMN before the column's video at POSITION (the count of
 * its videos before it; past the end: after the last), or moves it there. Returns 0,
 * -ENOENT (no such article), -EIO. */
int db_article_place(Db *db, gint64 column, gint64 article, gint64 position, gint64 now);
/* Takes ARTICLE out of COLUMN. Returns 0, -ENOENT (it was not there), -EIO. */
int db_article_unplace(Db *db, gint64 column, gint64 article);

/* A member's reading of an article (article_read). */
typedef struct {
  gint64 credited;      /* seconds credited so far */
  gint64 need;          /* seconds to be credited to earn */
  bool completed;       /* reached NEED (earns once) */
  gint64 points;        /* paid for it */
} ArticleRead;

/* MEMBER's reading of ARTICLE; a zero ArticleRead (need 0) when none is stored. */
int db_article_read_get(Db *db, const char *member, gint64 article, ArticleRead *out);
/* Stores R as MEMBER's reading of ARTICLE at NOW (insert or replace). */
int db_article_read_save(Db *db, const char *member, gint64 article, const ArticleRead *r, gint64 now);

/* Rebuilds article_search when it does not hold exactly the articles not deleted. */
int db_article_search_sync(Db *db);
