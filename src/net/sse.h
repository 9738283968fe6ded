/* Server-sent events: a hub that fans messages out to streaming clients.
 *
 * A producer (the engine's broadcaster) publishes `event: <name>` with a
 * one-line JSON `data:`; every subscriber (a GET /v1/stream connection) has
 * its own bounded backlog and is fed through net/httpd's streaming
 * response: the hub parks an idle connection and wakes it when a message
 * arrives, so an idle client costs no thread and no polling. A client that
 * falls more than max_backlog bytes behind loses the oldest messages and
 * is told so with an `event: lagged` message. Every keepalive_ms an idle
 * client gets a `: keepalive` comment, so proxies and the server's idle
 * timeout keep the connection.
 *
 * Threads: every function is thread-safe. */
#ifndef WT_NET_SSE_H
#define WT_NET_SSE_H

#include <stddef.h>
#include <stdint.h>

#include "net/httpd.h"

struct sse_hub;

/* A hub; max_backlog (0: 1 MiB) bytes per subscriber; keepalive_ms (0:
 * 15000). Never NULL. */
struct sse_hub *sse_hub_new(size_t max_backlog, unsigned keepalive_ms);
/* Ends every stream (their next read returns end of stream) and stops the
 * keepalive. Call before stopping the HTTP server; the hub stays valid. */
void sse_hub_close(struct sse_hub *h);
/* Frees the hub; the HTTP server must be stopped (no subscriber left). */
void sse_hub_free(struct sse_hub *h);

/* Publishes one message to every subscriber. data must be one line (JSON
 * without raw newlines). */
void sse_hub_publish(struct sse_hub *h, const char *event, const char *data, size_t len);
/* Subscribers connected now. */
size_t sse_hub_subscribers(struct sse_hub *h);

/* Turns resp into a stream of this hub's messages (starting with a
 * `: connected` comment and `retry: 2000`), with the SSE content type. */
void sse_hub_attach(struct sse_hub *h, struct httpd_resp *resp);

#endif
