/* The dashboard's static files: web/ at / and a whitelist of npm files
 * under /vendor/.
 *
 * Why here and not behind a separate web server: the dashboard must work
 * offline from one `walltrack serve`, with no bundler and no CDN
 * (DESIGN §11). The build stages the dashboard (cmake/webdist.cmake): web/
 * plus the libraries it imports (preact, htm, uPlot, graphology, sigma),
 * copied from the locked npm packages into web/vendor/ of the build folder,
 * and installed to <prefix>/share/walltrack/web. The daemon serves that
 * copy: web.dir when set, else the installed folder relative to its own
 * binary (bin/../share/walltrack/web), else the build folder's web/ beside
 * the binary; never node_modules/ of a checkout. Under /vendor/ only the
 * exact files of cmake/vendor_files.txt (wt_vendor_files, generated) are
 * served, from <web>/vendor/ or web.modules_dir when that is set (an npm
 * node_modules/ layout), so a request can never reach anything else.
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
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "base/base64.h"
#include "base/config.h"
#include "base/err.h"

#define STATIC_MAX_FILE (8u << 20) /* the largest vendored file is ~300 KB */

/* The vendored files (cmake/vendor_files.txt, compiled in by
 * cmake/dist.cmake). */
extern const char *const wt_vendor_files[];
extern const size_t wt_vendor_files_n;

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

/* The Content-Security-Policy of the dashboard: exactly what it loads.
 * Its scripts are ES modules from /app and /vendor ('self') plus one
 * inline import map, allowed by its hash (computed from the page served,
 * so an edited web/index.html keeps working); styles are the two
 * stylesheets ('self', inline style attributes are set through the CSSOM,
 * which CSP allows); the favicon is a data: URL; API calls and the live
 * stream are fetch() to 'self'. No framing (clickjacking), no <base>, no
 * form posts elsewhere. */
#define CSP_HEAD "default-src 'none'; script-src 'self'"
#define CSP_TAIL                                                                                   \
    "; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "              \
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
#define CSP_MAX_INLINE 4

/* Appends " 'sha256-…'" for every inline <script> (one without src) of
 * html to out; at most CSP_MAX_INLINE. */
static void inline_script_hashes(const char *html, size_t len, char *out, size_t outsize)
{
    const char *end = html + len;
    const char *p = html;
    int n = 0;
    while (n < CSP_MAX_INLINE && (p = strstr(p, "<script")) != NULL && p < end) {
        const char *open_end = strchr(p, '>');
        if (!open_end)
            break;
        const char *body = open_end + 1;
        const char *close = strstr(body, "</script");
        if (!close)
            break;
        bool has_src = false;
        for (const char *q = p; q + 4 <= open_end; q++)
            if (strncmp(q, " src", 4) == 0)
                has_src = true;
        if (!has_src) {
            uint8_t digest[crypto_hash_sha256_BYTES];
            char b64[64];
            crypto_hash_sha256(digest, (const unsigned char *)body, (size_t)(close - body));
            if (base64_encode(digest, sizeof digest, b64, sizeof b64) >= 0) {
                size_t used = strlen(out);
                snprintf(out + used, outsize - used, " 'sha256-%s'", b64);
                n++;
            }
        }
        p = close;
    }
}

/* The headers of every dashboard file: its CSP (with the hashes of an
 * HTML page's inline scripts) and frame-ancestors; nosniff is on every
 * answer of the server already (httpd.c). */
static void security_headers(struct httpd_resp *resp, bool html)
{
    char csp[400] = CSP_HEAD;
    if (html)
        inline_script_hashes(resp->body.data, resp->body.len, csp, sizeof csp);
    size_t used = strlen(csp);
    snprintf(csp + used, sizeof csp - used, "%s", CSP_TAIL);
    httpd_resp_header(resp, "Content-Security-Policy", csp);
    httpd_resp_header(resp, "X-Frame-Options", "DENY");
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
    security_headers(resp, strncmp(type, "text/html", 9) == 0);
}

/* The dashboard folder found beside the binary, once: "" when none. */
static char found_web[PATH_MAX];
static pthread_once_t found_once = PTHREAD_ONCE_INIT;

static bool has_index(const char *dir)
{
    char p[PATH_MAX + 16];
    struct stat st;
    snprintf(p, sizeof p, "%s/index.html", dir);
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static void find_web(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';
    /* Installed: <prefix>/bin/walltrack serves <prefix>/share/walltrack/web
     * (WT_WEB_REL, from the install layout). In the build folder: the
     * staged copy beside the binary. */
    const char *const rel[] = {WT_WEB_REL, "web"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        char cand[PATH_MAX];
        int m = snprintf(cand, sizeof cand, "%s/%s", exe, rel[i]);
        if (m > 0 && (size_t)m < sizeof cand && has_index(cand)) {
            snprintf(found_web, sizeof found_web, "%s", cand);
            return;
        }
    }
}

int api_web_dir(const struct config *cfg, char *out, size_t size)
{
    const char *d = config_str(cfg, CFG_WEB_DIR);
    if (!d[0]) {
        pthread_once(&found_once, find_web);
        d = found_web;
    }
    int n = snprintf(out, size, "%s", d);
    return d[0] && n > 0 && (size_t)n < size ? 0 : WT_ENOTFOUND;
}

void routes_static_web(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    char dir[PATH_MAX];
    if (api_web_dir(ctx->env->cfg, dir, sizeof dir) != 0) {
        httpd_resp_error(
            resp, 404,
            "no dashboard files: set web.dir, or install walltrack (docs/operations.md)");
        return;
    }
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
    char dir[PATH_MAX];
    const char *mods = config_str(ctx->env->cfg, CFG_WEB_MODULES_DIR);
    if (mods[0]) {
        snprintf(dir, sizeof dir, "%s", mods);
    } else {
        char web[PATH_MAX];
        if (api_web_dir(ctx->env->cfg, web, sizeof web) != 0 ||
            snprintf(dir, sizeof dir, "%s/vendor", web) >= (int)sizeof dir) {
            httpd_resp_error(resp, 404, "no dashboard files: %s", req->path);
            return;
        }
    }
    const char *rel = req->path + strlen("/vendor/");
    for (size_t i = 0; i < wt_vendor_files_n; i++) {
        if (strcmp(rel, wt_vendor_files[i]) == 0) {
            serve_file(resp, dir, wt_vendor_files[i], req->path);
            return;
        }
    }
    httpd_resp_error(resp, 404, "not a dashboard library file: %s", req->path);
}
