/* A stateful fake of Helius's webhook management endpoints, for tests of
 * the webhook sync (ingest/hooksync.h): POST /v0/webhooks creates, GET
 * lists, PUT /v0/webhooks/{id} replaces, DELETE removes, answering in the
 * shape Helius documents (webhookID, wallet, webhookURL, transactionTypes,
 * accountAddresses, webhookType, authHeader; the same object as the
 * create answer in tests/unit/test_helius_api.c). Knobs make it fail a
 * method with a status, or accept an update without applying it (so the
 * read-back catches it).
 *
 * Include after fakesrv.c (#include "../support/fakehelius.c"); call
 * fakehelius_handle from a fakesrv handler. */
#include "base/buf.h"
#include "base/json.h"
#include "base/jw.h"

#define FH_MAX_HOOKS 8
#define FH_MAX_ADDRS 4096

struct fh_hook {
    bool used;
    char id[64];
    char url[256];
    char auth[128];
    char *addrs[FH_MAX_ADDRS];
    size_t n;
};

struct fakehelius {
    pthread_mutex_t mu;
    struct fh_hook hooks[FH_MAX_HOOKS];
    unsigned next_id;
    unsigned fail_status; /* answer this to fail_method (0: never) */
    char fail_method[8];  /* "PUT", "POST", "GET", "DELETE" or "" for all */
    bool drop_updates;    /* PUT answers 200 and changes nothing */
    unsigned puts, posts, deletes, gets;
    /* The answers, in a ring: fakesrv copies one after the handler returns,
     * so it must outlive the next few requests. Make the struct static. */
    char answer[4][1 << 18];
    unsigned next_answer;
};

static void fh_init(struct fakehelius *f)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
}

static void fh_clear_hook(struct fh_hook *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->addrs[i]);
    memset(h, 0, sizeof *h);
}

static void fh_release(struct fakehelius *f)
{
    for (int i = 0; i < FH_MAX_HOOKS; i++)
        fh_clear_hook(&f->hooks[i]);
    pthread_mutex_destroy(&f->mu);
}

/* Adds a webhook directly (another URL's, or ours pre-registered). */
static struct fh_hook *fh_add(struct fakehelius *f, const char *url, const char *const *addrs,
                              size_t n)
{
    for (int i = 0; i < FH_MAX_HOOKS; i++) {
        struct fh_hook *h = &f->hooks[i];
        if (h->used)
            continue;
        h->used = true;
        snprintf(h->id, sizeof h->id, "wh-%04u", ++f->next_id);
        snprintf(h->url, sizeof h->url, "%s", url);
        for (size_t k = 0; k < n && k < FH_MAX_ADDRS; k++)
            h->addrs[h->n++] = strdup(addrs[k]);
        return h;
    }
    return NULL;
}

static struct fh_hook *fh_find_url(struct fakehelius *f, const char *url)
{
    for (int i = 0; i < FH_MAX_HOOKS; i++)
        if (f->hooks[i].used && strcmp(f->hooks[i].url, url) == 0)
            return &f->hooks[i];
    return NULL;
}

/* Whether the hook holds addr. */
static bool fh_has(const struct fh_hook *h, const char *addr)
{
    for (size_t i = 0; h && i < h->n; i++)
        if (strcmp(h->addrs[i], addr) == 0)
            return true;
    return false;
}

static void fh_write_hook(struct jw *w, const struct fh_hook *h)
{
    jw_obj_begin(w);
    jw_kstr(w, "webhookID", h->id);
    jw_kstr(w, "wallet", "FakeOwner1111111111111111111111111111111111");
    jw_kstr(w, "webhookURL", h->url);
    jw_karr_begin(w, "transactionTypes");
    jw_str(w, "SWAP");
    jw_str(w, "TRANSFER");
    jw_arr_end(w);
    jw_karr_begin(w, "accountAddresses");
    for (size_t i = 0; i < h->n; i++)
        jw_str(w, h->addrs[i]);
    jw_arr_end(w);
    jw_kstr(w, "webhookType", "enhanced");
    if (h->auth[0])
        jw_kstr(w, "authHeader", h->auth);
    jw_obj_end(w);
}

/* Reads webhookURL, authHeader and accountAddresses of a request body into h. */
static bool fh_read_body(const struct fake_req *req, struct fh_hook *h)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append(&b, req->body ? req->body : "", req->body_len);
    buf_reserve(&b, JSON_PADDING);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, arr, a;
    const char *s;
    size_t n;
    bool ok = json_parse(d, b.data, b.len, b.cap, &root) == 0 &&
              json_get_str(&root, "webhookURL", &s, &n) == 0 && n < sizeof h->url;
    if (ok) {
        memcpy(h->url, s, n);
        h->url[n] = '\0';
        if (json_opt_str(&root, "authHeader", &s, &n) == 0 && n < sizeof h->auth) {
            memcpy(h->auth, s, n);
            h->auth[n] = '\0';
        }
        ok = json_get(&root, "accountAddresses", &arr) == 0 && json_type_of(&arr) == JSON_ARRAY;
    }
    for (size_t i = 0; ok && i < json_size(&arr) && i < FH_MAX_ADDRS; i++) {
        ok = json_index(&arr, i, &a) == 0 && json_str(&a, &s, &n) == 0;
        if (ok)
            h->addrs[h->n++] = strndup(s, n);
    }
    json_doc_free(d);
    buf_release(&b);
    return ok;
}

/* Answers a /v0/webhooks request; returns false when the URL is not one. */
static bool fakehelius_handle(struct fakehelius *f, const struct fake_req *req,
                              struct fake_resp *resp)
{
    if (strncmp(req->url, "/v0/webhooks", 12) != 0)
        return false;
    pthread_mutex_lock(&f->mu);
    struct buf out;
    buf_init(&out, 0);
    struct jw w;
    jw_init(&w, &out);
    resp->status = 200;
    const char *id = req->url[12] == '/' ? req->url + 13 : NULL;
    size_t idlen = id ? strcspn(id, "?") : 0;
    struct fh_hook *h = NULL;
    for (int i = 0; id && i < FH_MAX_HOOKS; i++)
        if (f->hooks[i].used && strlen(f->hooks[i].id) == idlen &&
            strncmp(f->hooks[i].id, id, idlen) == 0)
            h = &f->hooks[i];
    if (f->fail_status && (!f->fail_method[0] || strcmp(f->fail_method, req->method) == 0)) {
        resp->status = f->fail_status;
        buf_puts(&out, "{\"error\":\"fake failure\"}");
    } else if (strcmp(req->method, "GET") == 0 && !id) {
        f->gets++;
        jw_arr_begin(&w);
        for (int i = 0; i < FH_MAX_HOOKS; i++)
            if (f->hooks[i].used)
                fh_write_hook(&w, &f->hooks[i]);
        jw_arr_end(&w);
        jw_finish(&w);
    } else if (strcmp(req->method, "POST") == 0 && !id) {
        f->posts++;
        struct fh_hook tmp;
        memset(&tmp, 0, sizeof tmp);
        if (!fh_read_body(req, &tmp)) {
            resp->status = 400;
            buf_puts(&out, "{\"error\":\"bad body\"}");
        } else if (!(h = fh_add(f, tmp.url, (const char *const *)tmp.addrs, tmp.n))) {
            resp->status = 500;
            buf_puts(&out, "{\"error\":\"full\"}");
        } else {
            snprintf(h->auth, sizeof h->auth, "%s", tmp.auth);
            fh_write_hook(&w, h);
            jw_finish(&w);
        }
        fh_clear_hook(&tmp);
    } else if (strcmp(req->method, "PUT") == 0 && h) {
        f->puts++;
        struct fh_hook tmp;
        memset(&tmp, 0, sizeof tmp);
        if (!fh_read_body(req, &tmp)) {
            resp->status = 400;
            buf_puts(&out, "{\"error\":\"bad body\"}");
        } else {
            if (!f->drop_updates) {
                for (size_t i = 0; i < h->n; i++)
                    free(h->addrs[i]);
                memcpy(h->addrs, tmp.addrs, tmp.n * sizeof *tmp.addrs);
                h->n = tmp.n;
                tmp.n = 0;
                /* Helius' edit replaces the whole webhook, its authHeader too */
                snprintf(h->auth, sizeof h->auth, "%s", tmp.auth);
            }
            fh_write_hook(&w, h);
            jw_finish(&w);
        }
        fh_clear_hook(&tmp);
    } else if (strcmp(req->method, "DELETE") == 0 && h) {
        f->deletes++;
        fh_clear_hook(h);
    } else {
        resp->status = 404;
        buf_puts(&out, "{\"error\":\"no such webhook\"}");
    }
    char *ans = f->answer[f->next_answer++ % 4];
    size_t n = out.len < sizeof f->answer[0] - 1 ? out.len : sizeof f->answer[0] - 1;
    if (n)
        memcpy(ans, out.data, n);
    ans[n] = '\0';
    resp->body = ans;
    resp->body_len = n;
    buf_release(&out);
    pthread_mutex_unlock(&f->mu);
    return true;
}
