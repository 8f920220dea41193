/* api_roster: an admin uploads the union's member list (the CSV `lectern member import` reads)
 * and gets the import report. Handler for api.c's table. */
#pragma once

#include "http/api_kit.h"

void api_roster_import(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
