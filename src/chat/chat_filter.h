/* chat_filter: folding chat text for matching (sensitive words, duplicates) and the
 * sensitive-word list. Pure: no database, no clock. Rules: docs/chat.md. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* The longest folded text kept for matching, in bytes (longer text is folded that far). */
#define CHAT_FILTER_MAX_BYTES 2048

/* TEXT (UTF-8) folded for matching into *OUT (caller frees): NFKC (full-width letters,
 * digits and punctuation become their ordinary forms, compatibility characters their plain
 * ones), case folded, and every space, punctuation mark, symbol, control and format character
 * (zero-width spaces, joiners) dropped, so "法 轮-功", "ＡＢＣ" and "a.b.c" match "法轮功",
 * "abc". Returns 0, or -EINVAL when TEXT is not UTF-8. */
int chat_filter_normalize(const char *text, char **out);

typedef struct ChatFilter ChatFilter;

/* An empty list. */
ChatFilter *chat_filter_new(void);
void chat_filter_free(ChatFilter **f);

/* Adds WORD (folded here; a word that folds to nothing is refused with -EINVAL). Returns 0. */
int chat_filter_add(ChatFilter *f, const char *word);

/* Words in the list. */
guint chat_filter_size(const ChatFilter *f);

/* Whether the folded text NORMALIZED contains a listed word (its folded form in *WORD when
 * WORD is not NULL; owned by F). */
bool chat_filter_match(const ChatFilter *f, const char *normalized, const char **word);
