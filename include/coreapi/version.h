/*
 * coreapi/version.h - version of libcoreapi, and the export macro.
 *
 * COREAPI_VERSION_NUM is 0xXXYYZZ (major, minor, patch), as libcurl's
 * LIBCURL_VERSION_NUM, so that code can test it at compile time with
 * COREAPI_AT_LEAST_VERSION(x, y, z). coreapi_version() tells the version of the
 * library actually loaded at run time.
 */
#ifndef COREAPI_VERSION_H
#define COREAPI_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(COREAPI_STATIC)
#  define COREAPI_EXTERN
#elif defined(_WIN32)
#  if defined(COREAPI_BUILDING)
#    define COREAPI_EXTERN __declspec(dllexport)
#  else
#    define COREAPI_EXTERN __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define COREAPI_EXTERN __attribute__((visibility("default")))
#else
#  define COREAPI_EXTERN
#endif

#define COREAPI_VERSION_MAJOR 0
#define COREAPI_VERSION_MINOR 1
#define COREAPI_VERSION_PATCH 0
#define COREAPI_VERSION "0.1.0"
#define COREAPI_VERSION_NUM \
  ((COREAPI_VERSION_MAJOR << 16) | (COREAPI_VERSION_MINOR << 8) | COREAPI_VERSION_PATCH)
#define COREAPI_AT_LEAST_VERSION(x, y, z) \
  (COREAPI_VERSION_NUM >= (((x) << 16) | ((y) << 8) | (z)))

/* The version of the loaded library as "X.Y.Z", a static string. */
COREAPI_EXTERN const char *coreapi_version(void);

/* The version of the loaded library as 0xXXYYZZ. */
COREAPI_EXTERN unsigned int coreapi_version_num(void);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_VERSION_H */
