/*
 * settings.h - the transport settings file (settings.json in the config
 * directory): per-domain timeout, proxy, client certificate, CA file and
 * TLS verification, given to the client as coreapi_client_add_host_settings
 * (settings.c).
 */
#ifndef COREAPI_CLI_SETTINGS_H
#define COREAPI_CLI_SETTINGS_H

#include "cli.h"

/* The file's name in the config directory. */
#define CLI_SETTINGS_FILE "settings.json"

/* What --insecure, or "insecure": true in the file, prints on stderr (after
 * "warning: --insecure: " or "warning: insecure for DOMAIN (settings.json): "). */
#define CLI_INSECURE_WARNING                                                           \
  "TLS certificates and host names are NOT checked; anyone between you and the "     \
  "server can read and change what is sent, credentials included"

/* Read settings.json (a missing file is no settings) and add each entry to
 * client, without the settings the command line gives (they win for every
 * host: --timeout, --proxy, --cert/--key, --cacert, --insecure). Refuses a
 * file that group or others can write. Strict: the top level must be an
 * Object of domain patterns, each an Object of the keys "timeout" (seconds,
 * a number > 0 up to 86400, or 0 for no limit), "proxy", "cert", "key",
 * "cacert" (strings) and "insecure" (a boolean), nothing else. Returns
 * CLI_OK; CLI_USAGE (2) for what the file says (bad JSON, unknown key,
 * wrong type, bad pattern or value), naming the file and the entry;
 * CLI_OTHER (4) when it cannot be read, is refused for its mode, or names a
 * file that cannot be read. */
int cli_settings_apply(const cli_options *opts, coreapi_client *client);

#endif
