/*
 * upsock.h -- the upstream sockets of a worker's libcurl multi handle in
 * the worker's epoll (upsock.c).
 */
#ifndef AIGATE_UPSOCK_H
#define AIGATE_UPSOCK_H

#include <curl/curl.h>

#include "gateway.h"

/* The multi handle's CURLMOPT_SOCKETFUNCTION (ud: the worker). */
int gw_upsock_cb(CURL *e, curl_socket_t s, int what, void *ud, void *sockp);

/* Every transfer's CURLOPT_OPENSOCKETFUNCTION (ud: the worker): a
 * close-on-exec socket, or CURL_SOCKET_BAD. */
curl_socket_t gw_upsock_open(void *ud, curlsocktype purpose,
                             struct curl_sockaddr *addr);

/* Every transfer's CURLOPT_CLOSESOCKETFUNCTION (ud: the worker): closes
 * s and forgets it; 0, or 1 when close failed. */
int gw_upsock_close(void *ud, curl_socket_t s);

/* An event on upstream socket s: 1 when it is for libcurl, 0 when s was
 * parked (libcurl does not watch it) and has now left the epoll. */
int gw_upsock_event(gw_worker *w, curl_socket_t s);

/* Frees the worker's table (the sockets are libcurl's). */
void gw_upsock_free(gw_worker *w);

#endif
