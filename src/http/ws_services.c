/* ws_services: the one list of services on /ws (see ws_services.h). */
#include "http/ws_services.h"
#include "http/ws_watch.h"

int ws_services_register(Ws *ws, Db *db, const Config *config)
{
  return ws_watch_register(ws, db, config);
}
