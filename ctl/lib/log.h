/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Logging to stderr: "xdpsecd: level: message".  Never pass key material.
 */
#ifndef XS_LOG_H
#define XS_LOG_H

enum xs_log_level { XS_LOG_ERR, XS_LOG_WARN, XS_LOG_INFO, XS_LOG_DEBUG };

void xs_log_init(const char *prog, enum xs_log_level max);
/* Change the most verbose level printed (any thread). */
void xs_log_set_max(enum xs_log_level max);
void xs_log(enum xs_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define xs_log_err(...) xs_log(XS_LOG_ERR, __VA_ARGS__)
#define xs_log_warn(...) xs_log(XS_LOG_WARN, __VA_ARGS__)
#define xs_log_info(...) xs_log(XS_LOG_INFO, __VA_ARGS__)
#define xs_log_debug(...) xs_log(XS_LOG_DEBUG, __VA_ARGS__)

#endif /* XS_LOG_H */
