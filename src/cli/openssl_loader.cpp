// OpenSSL for the mqtk binary, loaded on first use. Why this is our own code: the dynamic
// loader binds libcrypto and libssl (both linked BIND_NOW) at start-up, 4,000 symbol lookups
// that cost a plain-TCP run about 1.8 ms of the 4.7 ms a one-shot `mqtk pub` took, which was
// most of its distance from mosquitto_pub (issue #4). ELF has no delay-loading and Debian ships
// no Implib.so, so the binary defines the OpenSSL functions the core and the bench engine call,
// each forwarding to the real one, looked up by name and version in libssl.so.3 (and the
// libcrypto it depends on) loaded the first time any of them is called, i.e. by the first TLS
// connection or proxy password. The library (mqtk::core) links OpenSSL as usual; a call added
// there without a forwarder here fails the binary's link, never a run.
#include <dlfcn.h>

#include <string>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <mqtk/error.hpp>

namespace {

constexpr const char* libssl_name = "libssl.so.3";
constexpr const char* symbol_version = "OPENSSL_3.0.0";

void* libssl() {
  // Never closed: OpenSSL keeps per-thread state until exit.
  static void* const handle = [] {
    void* loaded = ::dlopen(libssl_name, RTLD_NOW | RTLD_LOCAL);
    if (!loaded)
      throw mqtk::Error(mqtk::ErrorCategory::runtime,
                        std::string("TLS is unavailable: ") + ::dlerror());
    return loaded;
  }();
  return handle;
}

template <typename Function>
Function openssl_function(const char* name) {
  void* symbol = ::dlvsym(libssl(), name, symbol_version);
  if (!symbol)
    throw mqtk::Error(mqtk::ErrorCategory::runtime,
                      std::string("TLS is unavailable: ") + libssl_name + " has no " + name +
                          "@" + symbol_version);
  return reinterpret_cast<Function>(symbol);
}

}  // namespace

// The OpenSSL header's declaration of `name` is the one being defined, so a parameter list that
// differs from it does not compile.
#define MQTK_OPENSSL_FORWARD(result, name, parameters, arguments)                        \
  extern "C" result name parameters {                                                    \
    static const auto real = openssl_function<decltype(&::name)>(#name);                 \
    return real arguments;                                                               \
  }

MQTK_OPENSSL_FORWARD(long, BIO_ctrl, (BIO* bio, int command, long number, void* argument),
                     (bio, command, number, argument))
MQTK_OPENSSL_FORWARD(size_t, BIO_ctrl_pending, (BIO* bio), (bio))
MQTK_OPENSSL_FORWARD(int, BIO_free, (BIO* bio), (bio))
MQTK_OPENSSL_FORWARD(BIO*, BIO_new, (const BIO_METHOD* type), (type))
MQTK_OPENSSL_FORWARD(int, BIO_read_ex, (BIO* bio, void* data, size_t size, size_t* read),
                     (bio, data, size, read))
MQTK_OPENSSL_FORWARD(const BIO_METHOD*, BIO_s_mem, (void), ())
MQTK_OPENSSL_FORWARD(int, BIO_write_ex,
                     (BIO* bio, const void* data, size_t size, size_t* written),
                     (bio, data, size, written))
MQTK_OPENSSL_FORWARD(void, ERR_clear_error, (void), ())
MQTK_OPENSSL_FORWARD(void, ERR_error_string_n, (unsigned long error, char* text, size_t size),
                     (error, text, size))
MQTK_OPENSSL_FORWARD(unsigned long, ERR_get_error, (void), ())
MQTK_OPENSSL_FORWARD(int, EVP_EncodeBlock, (unsigned char* to, const unsigned char* from, int size),
                     (to, from, size))
MQTK_OPENSSL_FORWARD(long, SSL_CTX_ctrl, (SSL_CTX* ctx, int command, long number, void* argument),
                     (ctx, command, number, argument))
MQTK_OPENSSL_FORWARD(void, SSL_CTX_free, (SSL_CTX* ctx), (ctx))
MQTK_OPENSSL_FORWARD(int, SSL_CTX_load_verify_locations,
                     (SSL_CTX* ctx, const char* ca_file, const char* ca_path),
                     (ctx, ca_file, ca_path))
MQTK_OPENSSL_FORWARD(SSL_CTX*, SSL_CTX_new, (const SSL_METHOD* method), (method))
MQTK_OPENSSL_FORWARD(int, SSL_CTX_set_alpn_protos,
                     (SSL_CTX* ctx, const unsigned char* protocols, unsigned int size),
                     (ctx, protocols, size))
MQTK_OPENSSL_FORWARD(int, SSL_CTX_set_cipher_list, (SSL_CTX* ctx, const char* ciphers),
                     (ctx, ciphers))
MQTK_OPENSSL_FORWARD(void, SSL_CTX_set_default_passwd_cb_userdata, (SSL_CTX* ctx, void* data),
                     (ctx, data))
MQTK_OPENSSL_FORWARD(int, SSL_CTX_set_default_verify_paths, (SSL_CTX* ctx), (ctx))
MQTK_OPENSSL_FORWARD(void, SSL_CTX_set_verify, (SSL_CTX* ctx, int mode, SSL_verify_cb callback),
                     (ctx, mode, callback))
MQTK_OPENSSL_FORWARD(int, SSL_CTX_use_PrivateKey_file, (SSL_CTX* ctx, const char* file, int type),
                     (ctx, file, type))
MQTK_OPENSSL_FORWARD(int, SSL_CTX_use_certificate_chain_file, (SSL_CTX* ctx, const char* file),
                     (ctx, file))
MQTK_OPENSSL_FORWARD(int, SSL_connect, (SSL* ssl), (ssl))
MQTK_OPENSSL_FORWARD(long, SSL_ctrl, (SSL* ssl, int command, long number, void* argument),
                     (ssl, command, number, argument))
MQTK_OPENSSL_FORWARD(int, SSL_do_handshake, (SSL* ssl), (ssl))
MQTK_OPENSSL_FORWARD(void, SSL_free, (SSL* ssl), (ssl))
MQTK_OPENSSL_FORWARD(X509_VERIFY_PARAM*, SSL_get0_param, (SSL* ssl), (ssl))
MQTK_OPENSSL_FORWARD(int, SSL_get_error, (const SSL* ssl, int result), (ssl, result))
MQTK_OPENSSL_FORWARD(long, SSL_get_verify_result, (const SSL* ssl), (ssl))
MQTK_OPENSSL_FORWARD(SSL*, SSL_new, (SSL_CTX* ctx), (ctx))
MQTK_OPENSSL_FORWARD(int, SSL_read, (SSL* ssl, void* data, int size), (ssl, data, size))
MQTK_OPENSSL_FORWARD(int, SSL_read_ex, (SSL* ssl, void* data, size_t size, size_t* read),
                     (ssl, data, size, read))
MQTK_OPENSSL_FORWARD(int, SSL_set1_host, (SSL* ssl, const char* host), (ssl, host))
MQTK_OPENSSL_FORWARD(void, SSL_set_bio, (SSL* ssl, BIO* in, BIO* out), (ssl, in, out))
MQTK_OPENSSL_FORWARD(void, SSL_set_connect_state, (SSL* ssl), (ssl))
MQTK_OPENSSL_FORWARD(int, SSL_set_fd, (SSL* ssl, int fd), (ssl, fd))
MQTK_OPENSSL_FORWARD(int, SSL_write_ex, (SSL* ssl, const void* data, size_t size, size_t* written),
                     (ssl, data, size, written))
MQTK_OPENSSL_FORWARD(const SSL_METHOD*, TLS_client_method, (void), ())
MQTK_OPENSSL_FORWARD(int, X509_VERIFY_PARAM_set1_ip_asc, (X509_VERIFY_PARAM* param, const char* ip),
                     (param, ip))
MQTK_OPENSSL_FORWARD(const char*, X509_verify_cert_error_string, (long error), (error))
