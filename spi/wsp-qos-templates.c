/* SPDX-License-Identifier: MIT
 *
 * wsp-qos-templates.c: named QoS templates (REFERENCE 1.9 and WSPGetQOSByName;
 * issue 7) — the well-known set every provider answers for, and the
 * templates installed with WSCInstallQOSTemplate / removed with
 * WSCRemoveQOSTemplate (ws2spi.h), which Windows keeps in the system
 * configuration database and wspsim keeps per simulated world.
 *
 * Lookup order: an installed template of that name (which may replace a
 * well-known one, as on Windows), then the well-known set.  Enumeration:
 * the well-known names in their fixed order, then installed names that are
 * not well-known, in installation order.  Names are compared as UTF-16
 * units, exactly.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"

/* Longest installable name, in UTF-16 units (without the NUL). */
#define TEMPLATE_NAME_MAX 64
#define TEMPLATES_KEY "wsp-qos-templates"

/*
 * The well-known templates (REFERENCE 1.9, qosname.h).  Microsoft leaves the
 * values to each provider ("it is up to each service provider to determine
 * the appropriate values"); these are derived from each codec's bit rate and
 * packet interval with 40 bytes of IP + UDP + RTP headers per packet
 * (doc/qos.md shows the arithmetic): audio is guaranteed service, video
 * controlled load; both directions alike; latency and delay variation left
 * unspecified.
 */
typedef struct {
    const char *name;
    ULONG rate, bucket, peak, sdu, min_policed;
    SERVICETYPE service;
} QosTemplate;

static const QosTemplate templates[] = {
    /* 64 kbit/s, 20 ms: 160 + 40 bytes, 50/s */
    {"G711", 10000, 400, 20000, 200, 200, SERVICETYPE_GUARANTEED},
    /* 6.3 kbit/s, 30 ms: 24 + 40 bytes, 33.3/s */
    {"G723.1", 2134, 128, 4268, 64, 64, SERVICETYPE_GUARANTEED},
    /* 8 kbit/s, 20 ms: 20 + 40 bytes, 50/s */
    {"G729", 3000, 120, 6000, 60, 60, SERVICETYPE_GUARANTEED},
    /* 128 kbit/s (QCIF) and 256 kbit/s (CIF) video, packets up to 1500 */
    {"H263QCIF", 17000, 8500, 34000, 1500, 64, SERVICETYPE_CONTROLLEDLOAD},
    {"H263CIF", 34000, 17000, 68000, 1500, 64, SERVICETYPE_CONTROLLEDLOAD},
    {"H261QCIF", 17000, 8500, 34000, 1500, 64, SERVICETYPE_CONTROLLEDLOAD},
    {"H261CIF", 34000, 17000, 68000, 1500, 64, SERVICETYPE_CONTROLLEDLOAD},
    /* 13.2 kbit/s, 20 ms: 33 + 40 bytes, 50/s */
    {"GSM6.10", 3650, 146, 7300, 73, 73, SERVICETYPE_GUARANTEED},
};

/* An installed template: its name (UTF-16, NUL-terminated) and flowspecs
 * (the provider-specific part is checked on install, not kept: lpQOS of
 * WSPGetQOSByName has no room for it). */
typedef struct {
    WCHAR name[TEMPLATE_NAME_MAX + 1];
    size_t len;
    QOS qos;
} Installed;

static void
template_fill(const QosTemplate *t, QOS *q)
{
    FLOWSPEC fs = {t->rate,    t->bucket,      t->peak,         QOS_NOT_SPECIFIED,
                   QOS_NOT_SPECIFIED, t->service, t->sdu,        t->min_policed};

    memset(q, 0, sizeof *q);
    q->SendingFlowspec = fs;
    q->ReceivingFlowspec = fs;
}

/* A name from a WSABUF: the UTF-16 units before the NUL (which must lie
 * within @len bytes), at most TEMPLATE_NAME_MAX of them.  FALSE if there is
 * no NUL in range or the name is too long. */
static bool
name_read(const char *buf, size_t len, WCHAR *out, size_t *out_len)
{
    size_t cap = len / sizeof(WCHAR);

    for (size_t i = 0; i < cap && i <= TEMPLATE_NAME_MAX; i++) {
        WCHAR c;

        memcpy(&c, buf + i * sizeof c, sizeof c);
        out[i] = c;
        if (c == 0) {
            *out_len = i;
            return true;
        }
    }
    return false;
}

/* @w (@n units) spells ASCII @a exactly. */
static bool
name_is(const WCHAR *w, size_t n, const char *a)
{
    size_t i;

    for (i = 0; i < n && a[i] != '\0'; i++)
        if (w[i] != (WCHAR) (unsigned char) a[i])
            return false;
    return i == n && a[i] == '\0';
}

static const QosTemplate *
well_known(const WCHAR *w, size_t n)
{
    for (size_t i = 0; i < G_N_ELEMENTS(templates); i++)
        if (name_is(w, n, templates[i].name))
            return &templates[i];
    return NULL;
}

static GPtrArray *
installed_list(SimWorld *world, bool create)
{
    GPtrArray *a = world != NULL ? sim_world_get_data(world, TEMPLATES_KEY) : NULL;

    if (a == NULL && create) {
        a = g_ptr_array_new_with_free_func(g_free);
        sim_world_set_data(world, TEMPLATES_KEY, a, (GDestroyNotify) g_ptr_array_unref);
    }
    return a;
}

static Installed *
installed_find(SimWorld *world, const WCHAR *w, size_t n, guint *out_index)
{
    GPtrArray *a = installed_list(world, false);

    for (guint i = 0; a != NULL && i < a->len; i++) {
        Installed *t = g_ptr_array_index(a, i);

        if (t->len == n && memcmp(t->name, w, n * sizeof *w) == 0) {
            if (out_index != NULL)
                *out_index = i;
            return t;
        }
    }
    return NULL;
}

/* Write @n units of @w and a NUL at unit @at of @buf when the name, its
 * NUL and the list's final NUL fit in @cap units; FALSE otherwise. */
static bool
enum_put(char *buf, size_t cap, size_t *at, const WCHAR *w, size_t n)
{
    WCHAR z = 0;

    if (*at + n + 1 + 1 > cap)
        return false;
    memcpy(buf + *at * sizeof z, w, n * sizeof z);
    memcpy(buf + (*at + n) * sizeof z, &z, sizeof z);
    *at += n + 1;
    return true;
}

/* The enumeration form of WSPGetQOSByName (choice 45). */
static void
enumerate(SimWorld *world, LPWSABUF names)
{
    size_t cap = names->len / sizeof(WCHAR), at = 0;
    GPtrArray *a = installed_list(world, false);
    bool room = true;
    WCHAR z = 0;

    for (size_t i = 0; room && i < G_N_ELEMENTS(templates); i++) {
        WCHAR w[TEMPLATE_NAME_MAX];
        size_t n = strlen(templates[i].name);

        for (size_t k = 0; k < n; k++)
            w[k] = (WCHAR) (unsigned char) templates[i].name[k];
        room = enum_put(names->buf, cap, &at, w, n);
    }
    for (guint i = 0; room && a != NULL && i < a->len; i++) {
        Installed *t = g_ptr_array_index(a, i);

        if (well_known(t->name, t->len) == NULL)
            room = enum_put(names->buf, cap, &at, t->name, t->len);
    }
    memcpy(names->buf + at * sizeof z, &z, sizeof z);
}

/**
 * WSPGetQOSByName:
 *
 * Lookup: @lpQOSName->buf holds a UTF-16 template name — one installed with
 * WSCInstallQOSTemplate, or a well-known one ("G711", "G723.1", "G729",
 * "H263QCIF", "H263CIF", "H261QCIF", "H261CIF", "GSM6.10"); the template is
 * written to @lpQOS.  Enumeration: a buffer whose first WCHAR is 0 is
 * overwritten with as many whole NUL-terminated names as fit in
 * @lpQOSName->len bytes, then an empty name (choice 45).
 *
 * Returns: TRUE; FALSE with WSAENOTSOCK, WSAEFAULT (NULL or too small
 *   buffers, @lpQOS NULL on lookup), WSAEINVAL (unknown name).
 */
BOOL WSPAPI
WSPGetQOSByName(SOCKET s, LPWSABUF lpQOSName, LPQOS lpQOS, LPINT lpErrno)
{
    WspCall call;
    WCHAR name[TEMPLATE_NAME_MAX + 1];
    size_t n = 0;
    const QosTemplate *wk;
    Installed *t;
    int err;

    if (!wsp_call_begin(&call, "WSPGetQOSByName", &err))
        return wsp_call_fail_bool(&call, lpErrno, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
    if (wsp_handle_lookup(&call, s) == NULL)
        return wsp_call_fail_bool(&call, lpErrno, WSAENOTSOCK);
    if (lpQOSName == NULL || lpQOSName->buf == NULL || lpQOSName->len < sizeof(WCHAR))
        return wsp_call_fail_bool(&call, lpErrno, WSAEFAULT);
    memcpy(&name[0], lpQOSName->buf, sizeof name[0]);
    if (name[0] == 0) {
        enumerate(call.world, lpQOSName);
        wsp_call_end(&call, "TRUE (enumerated)");
        return TRUE;
    }
    if (!name_read(lpQOSName->buf, lpQOSName->len, name, &n) ||
        ((t = installed_find(call.world, name, n, NULL)) == NULL &&
         (wk = well_known(name, n)) == NULL))
        return wsp_call_fail_bool(&call, lpErrno, WSAEINVAL);
    if (lpQOS == NULL)
        return wsp_call_fail_bool(&call, lpErrno, WSAEFAULT);
    if (t != NULL)
        *lpQOS = t->qos;
    else
        template_fill(wk, lpQOS);
    if (call.trace) {
        char *utf8 = g_utf16_to_utf8((const gunichar2 *) name, (glong) n, NULL, NULL, NULL);

        wsp_call_end(&call, "TRUE (%s%s)", utf8 != NULL ? utf8 : "?",
                     t != NULL ? ", installed" : "");
        g_free(utf8);
    }
    return TRUE;
}

/* ---- WSCInstallQOSTemplate / WSCRemoveQOSTemplate ---------------------------- */

/* The checks both functions share: the world, the provider GUID (NULL: every
 * provider; else ours) and the name.  0 or a WSA code. */
static int
template_args(WspCall *call, const char *fn, const GUID *guid, LPWSABUF qos_name, WCHAR *name,
              size_t *n)
{
    wsp_call_open(call, fn);
    if (call->world == NULL)
        return WSANO_RECOVERY; /* no simulated system to keep it in */
    if (qos_name == NULL || (qos_name->buf == NULL && qos_name->len > 0))
        return WSAEFAULT;
    if (qos_name->buf == NULL || !name_read(qos_name->buf, qos_name->len, name, n) || *n == 0)
        return WSAEINVAL;
    if (guid != NULL && memcmp(guid, &wspsim_provider_guid, sizeof *guid) != 0)
        return WSAEINVAL; /* not a provider of this catalog */
    return 0;
}

static int
template_end(WspCall *call, const WCHAR *name, size_t n, int err)
{
    if (call->trace) {
        char *utf8 = g_utf16_to_utf8((const gunichar2 *) name, (glong) n, NULL, NULL, NULL);

        wsp_call_args(call, "\"%s\"", utf8 != NULL ? utf8 : "?");
        g_free(utf8);
        wsp_call_end(call, "%s", err != 0 ? wsp_error_name(err) : "0");
    }
    return err;
}

/**
 * WSCInstallQOSTemplate:
 * @Guid: (nullable): the QoS provider the template is for; NULL for every
 *   provider (this catalog has one)
 * @QosName: a NUL-terminated UTF-16 name of 1 to 64 units
 * @Qos: the template: both flowspecs are checked as SIO_SET_QOS checks them
 *   and so is the provider-specific part, which is not kept
 *
 * Installs a template for this simulated system (the world), or replaces
 * the one of that name — a well-known one included (WSPGetQOSByName then
 * answers with the installed values).
 *
 * Returns: 0; WSAEFAULT (@QosName or @Qos NULL, or a NULL buffer with a
 *   length), WSAEINVAL (an empty, unterminated or too long name, another
 *   provider's GUID, a template that is invalid or cannot be satisfied),
 *   WSANO_RECOVERY (no simulated world in this context).
 */
int WSAAPI
WSCInstallQOSTemplate(const LPGUID Guid, LPWSABUF QosName, LPQOS Qos)
{
    WspCall call;
    WCHAR name[TEMPLATE_NAME_MAX + 1];
    size_t n = 0;
    Installed *t;
    int err = template_args(&call, "WSCInstallQOSTemplate", Guid, QosName, name, &n);

    if (err == 0 && Qos == NULL)
        err = WSAEFAULT;
    if (err == 0 && wsp_qos_validate(Qos, SIM_AF_INET) != 0 &&
        wsp_qos_validate(Qos, SIM_AF_INET6) != 0)
        err = WSAEINVAL; /* "invalid or incomplete" */
    if (err != 0)
        return template_end(&call, name, err == WSAEFAULT || call.world == NULL ? 0 : n, err);
    t = installed_find(call.world, name, n, NULL);
    if (t == NULL) {
        t = g_new0(Installed, 1);
        memcpy(t->name, name, (n + 1) * sizeof *name);
        t->len = n;
        g_ptr_array_add(installed_list(call.world, true), t);
    }
    t->qos = *Qos;
    t->qos.ProviderSpecific.buf = NULL;
    t->qos.ProviderSpecific.len = 0;
    return template_end(&call, name, n, 0);
}

/**
 * WSCRemoveQOSTemplate:
 * @Guid: (nullable): as for WSCInstallQOSTemplate
 * @QosName: the name
 *
 * Removes an installed template.  The well-known set cannot be removed
 * (WSAEINVAL, as documented for Windows), not even after a replacement
 * was installed under one of its names.
 *
 * Returns: 0; WSAEFAULT, WSAEINVAL (a bad name or GUID, a well-known name,
 *   a name not installed), WSANO_RECOVERY (no simulated world).
 */
int WSAAPI
WSCRemoveQOSTemplate(const LPGUID Guid, LPWSABUF QosName)
{
    WspCall call;
    WCHAR name[TEMPLATE_NAME_MAX + 1];
    size_t n = 0;
    guint index;
    int err = template_args(&call, "WSCRemoveQOSTemplate", Guid, QosName, name, &n);

    if (err == 0 && (well_known(name, n) != NULL ||
                     installed_find(call.world, name, n, &index) == NULL))
        err = WSAEINVAL;
    if (err == 0)
        g_ptr_array_remove_index(installed_list(call.world, false), index);
    return template_end(&call, name, err == WSAEFAULT || call.world == NULL ? 0 : n, err);
}
