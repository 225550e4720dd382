/* SPDX-License-Identifier: MIT
 *
 * lex.h: the scenario lexer (runner/ internal).  Turns a whole file into an
 * array of tokens with Python-like NEWLINE / INDENT / DEDENT tokens; numbers
 * come out normalised (ns, bytes, bits/s, ppm), strings unescaped,
 * addresses parsed.  Newlines inside (), [] and {} are ignored.
 */
#ifndef WSPSIM_LEX_H
#define WSPSIM_LEX_H

#include "runner/scenario.h"

G_BEGIN_DECLS

typedef enum {
    TK_EOF,
    TK_NEWLINE,
    TK_INDENT,
    TK_DEDENT,
    TK_IDENT,
    TK_NUMBER, /* ival with unit */
    TK_STRING, /* sval/slen (unescaped) */
    TK_HEX,    /* sval/slen */
    TK_ADDR,   /* addr, has_port, prefix */
    TK_ARROW,  /* -> */
    TK_DOTDOT, /* .. */
    TK_PUNCT,  /* one character: ( ) [ ] { } , = : | . $ */
} TokKind;

typedef struct {
    TokKind kind;
    guint32 line, col;
    const char *start; /* into the source text */
    guint32 len;
    char punct;
    WspsimUnit unit;
    gint64 ival;
    bool has_fraction;
    guint8 *sval; /* owned by the token array */
    size_t slen;
    SimSockAddr addr;
    bool has_port;
    gint prefix; /* -1 when absent */
} Tok;

/* Tokenise; NULL with @error ("file:line:col: ...") on malformed text. */
GArray *wspsim_lex(const char *file, const char *text, size_t len, GError **error);
void wspsim_lex_free(GArray *toks);
const char *wspsim_tok_describe(const Tok *t, char *buf, size_t size);

G_END_DECLS

#endif /* WSPSIM_LEX_H */
