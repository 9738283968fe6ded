/* GET /v1/openapi.json: the OpenAPI 3 description of the REST API.
 *
 * The document is docs/openapi.json, embedded into the binary at build time
 * (cmake/embed.cmake), so the served description is always the one the
 * binary was built with and needs no file at run time. A test checks that
 * it parses and lists every route of api.c. */
#include "api/routes.h"

#include <stddef.h>

extern const unsigned char wt_openapi_json[];
extern const size_t wt_openapi_json_len;

void routes_openapi(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)ctx;
    (void)req;
    httpd_resp_json(resp, 200, (const char *)wt_openapi_json, wt_openapi_json_len);
}
