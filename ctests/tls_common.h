/* Helpers shared by the tls_*.c parity tests: a self-signed certificate
 * made at run time (an EC P-256 key, one day of validity), server and client
 * contexts, and event names for printing. Output never holds keys, times or
 * addresses. Tests that include this link with
 *   ctest-libs: -levent_openssl -lssl -lcrypto
 */
#ifndef TLS_COMMON_H
#define TLS_COMMON_H

#include "bev_common.h"
#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

static EVP_PKEY *tls_key;
static X509 *tls_cert;

/* The certificate and key every test's server uses. */
static void tls_make_cert(void)
{
    X509_NAME *name;
    /* Writing to a peer that closed must be an error, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    tls_key = EVP_EC_gen("P-256");
    tls_cert = X509_new();
    if (!tls_key || !tls_cert) {
        fprintf(stderr, "key/cert\n");
        exit(1);
    }
    X509_set_version(tls_cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(tls_cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(tls_cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(tls_cert), 86400);
    X509_set_pubkey(tls_cert, tls_key);
    name = X509_get_subject_name(tls_cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(tls_cert, name);
    if (!X509_sign(tls_cert, tls_key, EVP_sha256())) {
        fprintf(stderr, "sign\n");
        exit(1);
    }
}

static void tls_free_cert(void)
{
    X509_free(tls_cert);
    EVP_PKEY_free(tls_key);
}

/* max_version 0: whatever OpenSSL offers (TLS 1.3). */
static SSL_CTX *tls_server_ctx(int max_version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate(ctx, tls_cert) != 1 || SSL_CTX_use_PrivateKey(ctx, tls_key) != 1) {
        fprintf(stderr, "server ctx\n");
        exit(1);
    }
    if (max_version)
        SSL_CTX_set_max_proto_version(ctx, max_version);
    return ctx;
}

static SSL_CTX *tls_client_ctx(int max_version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        fprintf(stderr, "client ctx\n");
        exit(1);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    if (max_version)
        SSL_CTX_set_max_proto_version(ctx, max_version);
    return ctx;
}

/* BEV_EVENT_* flags as text (static buffer). */
static const char *tls_what(short what)
{
    static char buf[96];
    buf[0] = 0;
    if (what & BEV_EVENT_READING) strcat(buf, "READING|");
    if (what & BEV_EVENT_WRITING) strcat(buf, "WRITING|");
    if (what & BEV_EVENT_EOF) strcat(buf, "EOF|");
    if (what & BEV_EVENT_ERROR) strcat(buf, "ERROR|");
    if (what & BEV_EVENT_TIMEOUT) strcat(buf, "TIMEOUT|");
    if (what & BEV_EVENT_CONNECTED) strcat(buf, "CONNECTED|");
    if (buf[0]) buf[strlen(buf) - 1] = 0;
    return buf;
}

/* The OpenSSL errors a TLS bufferevent kept, as "lib:reason" names (the
 * same OpenSSL on both sides of the comparison). */
static void tls_print_errors(const char *tag, struct bufferevent *bev)
{
    unsigned long e;
    int n = 0;
    while ((e = bufferevent_get_openssl_error(bev)) != 0) {
        const char *r = ERR_reason_error_string(e);
        if (r)
            printf("%s: openssl error %s\n", tag, r);
        else
            printf("%s: openssl error 0x%lx\n", tag, e);
        n++;
    }
    printf("%s: %d openssl errors\n", tag, n);
}

#endif
