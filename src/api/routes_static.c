/* The dashboard's static files: web/ at / and a whitelist of npm files
 * under /vendor/.
 *
 * Why here and not behind a separate web server: the dashboard must work
 * offline from one `walltrack serve`, with no bundler and no CDN
 * (DESIGN §11). Its own files (index.html, app/…js, app/style.css) come
 * from web.dir; the libraries it imports (preact, htm, uPlot, graphology,
 * sigma) come from web.modules_dir (node_modules/, installed by
 * scripts/setup.sh), but only the exact files listed in `vendor[]`, so a
 * request can never reach anything else npm installed.
 *
 * Safety: a path is served only when every segment is made of
 * [A-Za-z0-9._-], starts with neither '.' nor '-', and no byte outside that set appears
 * anywhere (so "..", "%2e%2e" once libmicrohttpd has decoded it, "\",
 * NUL, "//" and hidden files are all refused with 404). These routes need
 * no token: the page holds no secret, and every API call it makes carries
 * the token itself. */
#include "api/routes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "base/err.h"

#define STATIC_MAX_FILE (8u << 20) /* the largest vendored file is ~300 KB */

/* The npm files the dashboard imports, relative to node_modules/ and
 * served at /vendor/<same path>. Sigma's ESM build imports its own chunks
 * by relative path, hence the several sigma files. Keep in step with the
 * import map in web/index.html and package-lock.json. */
static const char *const vendor[] = {
    "preact/dist/preact.module.js",
    "preact/hooks/dist/hooks.module.js",
    "htm/dist/htm.module.js",
    "htm/preact/index.module.js",
    "uplot/dist/uPlot.esm.js",
    "uplot/dist/uPlot.min.css",
    "graphology/dist/graphology.mjs",
    "sigma/dist/sigma.esm.js",
    "sigma/dist/index-fad77a13.esm.js",
    "sigma/dist/inherits-d1a1e29b.esm.js",
    "sigma/dist/normalization-be445518.esm.js",
    "sigma/dist/colors-beb06eb2.esm.js",
    "sigma/dist/data-11df7124.esm.js",
    "sigma/settings/dist/sigma-settings.esm.js",
    "sigma/types/dist/sigma-types.esm.js",
};

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

int routes_static_path_ok(const char *rel)
{
    if (!rel[0])
        return WT_EINVAL;
    bool seg_start = true;
    for (const char *p = rel; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-' || c == '/';
        if (!ok)
            return WT_EINVAL;
        if (c == '/') {
            if (seg_start) /* leading '/' or "//" */
                return WT_EINVAL;
            seg_start = true;
            continue;
        }
        if (seg_start && (c == '.' || c == '-')) /* "..", ".hidden", "-x" */
            return WT_EINVAL;
        seg_start = false;
    }
    return seg_start ? WT_EINVAL : 0; /* a trailing '/' names a folder */
}

const char *routes_static_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

/* Reads dir/rel into resp with its content type, or answers 404. */
static void serve_file(struct httpd_resp *resp, const char *dir, const char *rel, const char *url)
{
    const char *type = routes_static_type(rel);
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (!type || n < 0 || (size_t)n >= sizeof path) {
        httpd_resp_error(resp, 404, "no such file: %s", url);
        return;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > STATIC_MAX_FILE) {
        if (fd >= 0)
            close(fd);
        httpd_resp_error(resp, 404, "no such file: %s", url);
        return;
    }
    size_t size = (size_t)st.st_size;
    buf_reset(&resp->body);
    if (buf_reserve(&resp->body, size) != 0) {
        close(fd);
        httpd_resp_error(resp, 500, "cannot serve %s: too large", url);
        return;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, resp->body.data + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != size) {
        buf_reset(&resp->body);
        httpd_resp_error(resp, 500, "cannot read %s", url);
        return;
    }
    resp->body.len = size;
    resp->body.data[size] = '\0';
    resp->status = 200;
    resp->content_type = type;
}

static const char *dir_or_default(const struct config *cfg, enum config_id id, const char *def)
{
    const char *d = config_str(cfg, id);
    return d[0] ? d : def;
}

void routes_static_web(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    const char *dir = dir_or_default(ctx->env->cfg, CFG_WEB_DIR, WT_SOURCE_DIR "/web");
    const char *rel = req->path + 1;
    if (strcmp(req->path, "/") == 0)
        rel = "index.html";
    if (routes_static_path_ok(rel) != 0) {
        httpd_resp_error(resp, 404, "no such file: %s", req->path);
        return;
    }
    serve_file(resp, dir, rel, req->path);
}

void routes_static_vendor(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    const char *dir =
        dir_or_default(ctx->env->cfg, CFG_WEB_MODULES_DIR, WT_SOURCE_DIR "/node_modules");
    const char *rel = req->path + strlen("/vendor/");
    for (size_t i = 0; i < sizeof vendor / sizeof vendor[0]; i++) {
        if (strcmp(rel, vendor[i]) == 0) {
            serve_file(resp, dir, vendor[i], req->path);
            return;
        }
    }
    httpd_resp_error(resp, 404, "not a dashboard library file: %s", req->path);
}
