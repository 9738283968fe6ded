/* The wallet graph's clusters into the engine as commands (clustersync.h). */
#include "trade/clustersync.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "solana/pubkey.h"

struct cinfo {
    int64_t id;
    bool blacklisted;
    char label[64];
    char leader[BASE58_KEY_MAX];
};

struct members {
    VEC(struct cinfo) c;
    VEC(int64_t) mid;
    VEC(struct pubkey) mw;
    VEC(bool) leader;
};

static const struct cinfo *find(const struct members *m, int64_t id)
{
    for (size_t i = 0; i < m->c.len; i++)
        if (m->c.v[i].id == id)
            return &m->c.v[i];
    return NULL;
}

static int on_member(void *ctx, int64_t cluster_id, const char *wallet)
{
    struct members *m = ctx;
    struct pubkey k;
    const struct cinfo *ci = find(m, cluster_id);
    if (!ci || pubkey_parse(wallet, &k) != 0)
        return 0;
    vec_push(&m->mid, cluster_id);
    vec_push(&m->mw, k);
    vec_push(&m->leader, strcmp(ci->leader, wallet) == 0);
    return 0;
}

int clustersync_commands(struct store *st, bool with_reset,
                         int (*emit)(void *ctx, const struct command_event *c), void *ctx,
                         struct clustersync_stats *out)
{
    struct clustersync_stats stats = {0};
    struct members m = {0};
    struct cluster_filter f = {.sort = CLUSTER_SORT_UPDATED, .ascending = true, .limit = 1000};
    struct cluster_row *page = xmalloc(1000 * sizeof *page);
    int rc = 0;
    for (f.page = 1;; f.page++) {
        size_t n = 0;
        int64_t total = 0;
        if ((rc = store_clusters_query(st, &f, page, &n, &total)) != 0)
            break;
        for (size_t i = 0; i < n; i++) {
            struct cinfo *ci = vec_push_zero(&m.c);
            ci->id = page[i].id;
            ci->blacklisted = page[i].blacklisted;
            str_copy(ci->label, sizeof ci->label, page[i].label);
            str_copy(ci->leader, sizeof ci->leader, page[i].leader);
        }
        if (n < f.limit)
            break;
    }
    free(page);
    if (rc == 0)
        rc = store_cluster_members_scan(st, false, on_member, &m);
    struct command_event c;
    if (rc == 0 && with_reset) {
        memset(&c, 0, sizeof c);
        c.kind = CMD_CLUSTER_RESET;
        rc = emit(ctx, &c);
    }
    for (size_t i = 0; rc == 0 && i < m.mid.len; i++) {
        memset(&c, 0, sizeof c);
        c.kind = CMD_CLUSTER_MEMBER;
        c.wallet = m.mw.v[i];
        c.value = (double)m.mid.v[i];
        str_copy(c.name, sizeof c.name, m.leader.v[i] ? "leader" : "follower");
        if ((rc = emit(ctx, &c)) == 0)
            stats.members++;
    }
    for (size_t i = 0; rc == 0 && i < m.mid.len; i++) {
        const struct cinfo *ci = find(&m, m.mid.v[i]);
        if (!ci || !ci->blacklisted)
            continue;
        memset(&c, 0, sizeof c);
        c.kind = CMD_CLUSTER_BLACKLIST;
        c.wallet = m.mw.v[i];
        str_copy(c.text, sizeof c.text, ci->label);
        if ((rc = emit(ctx, &c)) == 0)
            stats.blacklisted++;
    }
    vec_free(&m.c);
    vec_free(&m.mid);
    vec_free(&m.mw);
    vec_free(&m.leader);
    if (out)
        *out = stats;
    return rc;
}

static int post(void *ctx, const struct command_event *c)
{
    return runner_post_command(ctx, c);
}

int clustersync_run(struct runner *r, struct store *st, struct clustersync_stats *out)
{
    return clustersync_commands(st, true, post, r, out);
}
