/* ws_services: the one list of services on /ws (see ws_services.h). */
#include "http/ws_services.h"
#include "http/ws_chat.h"
#include "http/ws_read.h"
#include "http/ws_qa.h"
#include "http/ws_watch.h"

int ws_services_register(Ws *ws, Db *db, const Config *config)
{
  int ret = ws_watch_register(ws, db, config);
  if (ret == 0)
    ret = ws_chat_register(ws, db, config);
  if (ret == 0)
    ret = ws_read_register(ws, db);
  if (ret == 0)
    ret = ws_qa_register(ws, db, config);
  return ret;
}
