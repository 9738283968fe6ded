/* The events of the soak campaign's load (tests/soak/soak_load.c): the
 * two real Jupiter swap fixtures it sends again and again with new
 * signatures, decoded by the real Helius decoder; swaps and transfers, in
 * delivery order, appended to *out (a VEC of struct event). Included (as
 * the other support files are) by the tests that need it, after cmocka,
 * base/buf.h and ingest/helius.h. */
#include <stdio.h>

#define soak_events(out)                                                                           \
    do {                                                                                           \
        static const char *const fx_[2] = {                                                        \
            "helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json",                              \
            "helius_enhanced_swap_jupiter_usdc_to_sol_via_raydium_clmm.json"};                     \
        struct helius_decoder *d_ = helius_decoder_new();                                          \
        struct helius_out ho_ = {0};                                                               \
        for (int f_ = 0; f_ < 2; f_++) {                                                           \
            struct buf json_;                                                                      \
            buf_init(&json_, 0);                                                                   \
            soak_read(fx_[f_], &json_);                                                            \
            helius_out_clear(&ho_);                                                                \
            assert_int_equal(helius_decode(d_, json_.data, json_.len, 0, &ho_, NULL), 0);          \
            for (size_t i_ = 0; i_ < ho_.events.len; i_++)                                         \
                if (ho_.events.v[i_].kind == EVENT_SWAP ||                                         \
                    ho_.events.v[i_].kind == EVENT_TRANSFER)                                       \
                    vec_push(out, ho_.events.v[i_]);                                               \
            buf_release(&json_);                                                                   \
        }                                                                                          \
        helius_out_release(&ho_);                                                                  \
        helius_decoder_free(d_);                                                                   \
    } while (0)

static void soak_read(const char *name, struct buf *json)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real/%s", WT_FIXTURES, name);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char chunk[4096];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(json, chunk, k);
    fclose(fp);
}
