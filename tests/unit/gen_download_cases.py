#!/usr/bin/python3
"""Generate expected download file names from the reference client.

    /usr/bin/python3 tests/unit/gen_download_cases.py > /tmp/cases.inc
    /usr/bin/python3 tests/unit/gen_download_cases.py --alnum-table > /tmp/alnum.inc

The first form runs the reference's own coreapi.codecs.download._get_filename
(python3-coreapi) on every input of CASES and prints C initialisers
{content_disposition, url, content_type, expected} for the REFERENCE_CASES
table of tests/unit/test_download.c. Only inputs on which the spec and the
reference agree are listed, with one systematic exception: where the reference
returns None (it then falls back to the temporary file's random name) the spec
says "download", and that is what is printed.

Inputs where the spec deliberately differs from the reference are listed in
SPEC_OVERRIDES with the spec's answer and the reason; they are printed as the
SPEC_CASES table, with the reference's own answer in a comment.

The second form prints the ranges of non-ASCII code points for which Python's
str.isalnum() is true (Python's Unicode database), as the C table used by
src/codecs/download.c to sanitise names exactly as _safe_filename does.
"""
import sys
import unicodedata
import warnings

warnings.simplefilter('ignore')  # cgi is deprecated (used by the reference)
sys.path.insert(0, '/usr/lib/python3/dist-packages')
from coreapi.codecs.download import _get_filename  # noqa: E402

# (content_disposition, url, content_type). ASCII only on the header side:
# requests hands the reference headers decoded as ISO-8859-1, see overrides.
CASES = [
    # RFC 6266 appendix D, filename parameter.
    ('attachment; filename="foo.html"', 'http://h/x/y.pdf', None),
    ('attachment; filename=foo.html', 'http://h/x/y.pdf', None),
    ('inline; filename="foo.html"', 'http://h/x/y.pdf', None),
    ('attachment; filename="Not an attachment!"', 'http://h/x/y.pdf', None),
    ('attachment; filename="f\\oo.html"', 'http://h/x/y.pdf', None),
    ('attachment; filename="\\"quoting\\" tested.html"', 'http://h/x/y.pdf', None),
    ('attachment; filename="Here\'s a semicolon;.html"', 'http://h/x/y.pdf', None),
    ('attachment; filename=foo.html ;', 'http://h/x/y.pdf', None),
    ('attachment; FILENAME="foo.html"', 'http://h/x/y.pdf', None),
    ('ATTACHMENT; FileName=foo.html', 'http://h/x/y.pdf', None),
    ('attachment;filename=foo.html', 'http://h/x/y.pdf', None),
    ('attachment ;  filename = "foo.html"  ', 'http://h/x/y.pdf', None),
    ('attachment; creation-date="Wed, 12 Feb 1997 16:29:51 -0500"; filename=a.txt',
     'http://h/x/y.pdf', None),
    ('attachment; filename=a.txt; filename=b.txt', 'http://h/x/y.pdf', None),
    # filename* (ASCII results: see the overrides for the rest).
    ("attachment; filename*=UTF-8''foo-a.html",
     'http://h/x/y.pdf', None),
    ("attachment; filename*=UTF-8''foo%20bar.txt", 'http://h/x/y.pdf', None),
    ("attachment; filename*=utf-8'en'report%2Dfinal.pdf", 'http://h/x/y', None),
    ("attachment; filename*=ISO-8859-1''plain.txt", 'http://h/x/y.pdf', None),
    ("attachment; filename=\"fallback.txt\"; filename*=UTF-8''star.txt",
     'http://h/x/y.pdf', None),
    ("attachment; filename*=UTF-8''star.txt; filename=\"fallback.txt\"",
     'http://h/x/y.pdf', None),
    ("attachment; filename*=bogus''star.txt; filename=fallback.txt", 'http://h/x/y.pdf', None),
    ("attachment; filename*=nocharset.txt; filename=fallback.txt", 'http://h/x/y.pdf', None),
    ("attachment; filename*=UTF-8''...; filename=fallback.txt", 'http://h/x/y.pdf', None),
    ("attachment; filename*=UTF-8''; filename=fallback.txt", 'http://h/x/y.pdf', None),
    ("attachment; filename*=UTF-8''%2e%2e%2fpasswd", 'http://h/x/y.pdf', None),
    # Sanitising.
    ('attachment; filename="../../etc/passwd"', 'http://h/x/y.pdf', None),
    ('attachment; filename="/abs/path.txt"', 'http://h/x/y.pdf', None),
    ('attachment; filename=".."', 'http://h/x/y.pdf', None),
    ('attachment; filename="."', 'http://h/x/y.pdf', None),
    ('attachment; filename="dir/"', 'http://h/x/y.pdf', 'image/png'),
    ('attachment; filename="a\tb\x01c\x7fd.txt"', 'http://h/x/y.pdf', None),
    ('attachment; filename=""', 'http://h/x/y.pdf', None),
    ('attachment; filename=""', 'http://h/', 'application/pdf'),
    ('attachment; filename="  spaced name.txt  "', 'http://h/x/y.pdf', None),
    ('attachment; filename="...dots..."', 'http://h/x/y.pdf', None),
    ('attachment; filename=".hidden"', 'http://h/x/y.pdf', None),
    ('attachment; filename="a<b>c:d*e?f|g.txt"', 'http://h/x/y.pdf', None),
    ('attachment; filename="C:\\\\Windows\\\\evil.exe"', 'http://h/x/y.pdf', None),
    ('attachment; filename="semi;colon, comma (1) [2] {3}.tar.gz"', 'http://h/x/y.pdf', None),
    ('attachment; filename="under_score-dash.x"', 'http://h/x/y.pdf', None),
    ('attachment', 'http://h/files/report.pdf', None),
    ('inline', 'http://h/files/report', 'application/pdf'),
    ('garbage without any structure', 'http://h/files/report', 'application/pdf'),
    (';;;', 'http://h/files/report', 'text/csv'),
    ('attachment; filename', 'http://h/files/report', 'text/csv'),
    ('attachment; name="field"', 'http://h/files/report', 'text/csv'),
    # URL-derived names and extensions.
    (None, 'http://h/files/report.pdf', None),
    (None, 'http://h/files/report.pdf', 'image/png'),
    (None, 'http://h/files/report', 'application/pdf'),
    (None, 'http://h/files/report', None),
    (None, 'http://h/files/report', 'application/x-unknown'),
    (None, 'http://h/files/image', 'image/png'),
    (None, 'http://h/files/image', 'image/jpeg'),
    (None, 'http://h/files/image', 'image/svg+xml'),
    (None, 'http://h/files/data', 'application/octet-stream'),
    (None, 'http://h/files/data', 'application/zip'),
    (None, 'http://h/files/page', 'text/html'),
    (None, 'http://h/files/notes', 'text/plain'),
    (None, 'http://h/files/clip', 'video/mp4'),
    (None, 'http://h/files/song', 'audio/mpeg'),
    (None, 'http://h/files/sheet', 'application/vnd.ms-excel'),
    (None, 'http://h/files/feed', 'application/xml'),
    (None, 'http://h/files/mail', 'message/rfc822'),
    (None, 'http://h/', 'application/pdf'),
    (None, 'http://h', 'image/gif'),
    (None, 'http://h/', None),
    (None, 'http://h/a/b/', 'image/png'),
    (None, 'http://h/a/b///', None),
    (None, 'http://h/a/b.pdf;jsessionid=1', None),
    (None, 'http://h/a;x/b', 'image/png'),
    (None, 'http://h/a/b?x=/y.txt', 'text/csv'),
    (None, 'http://h/a/b#/frag.txt', 'text/csv'),
    (None, 'http://h/a/b?q#f', None),
    (None, 'http://h/a%20b', 'image/png'),
    (None, 'http://h/%2e%2e', None),
    (None, 'http://h/..', 'image/png'),
    (None, 'http://h/a/..', None),
    (None, 'http://h/.hidden', 'image/png'),
    (None, 'http://h/a.b.c', 'image/png'),
    (None, 'http://h/archive.tar.gz', 'application/x-tar'),
    (None, 'http://user:pw@h:8080/dl/file.bin', None),
    (None, 'https://h/d/%E2%82%AC', 'text/plain'),
    (None, '/relative/path/name.txt', None),
    (None, 'relative', 'image/png'),
    (None, 'http://h/d/\u00e9t\u00e9', 'text/plain'),
    (None, 'http://h/d/\u6587\u4ef6\u0663\u00b2', None),
    (None, 'http://h/d/a\u202eb\u00a0c\u2603d\u200be', 'text/plain'),
    (None, 'http://h/d/x\U0001d400y\U0001f600z', None),
    (None, None, None),
    ('', 'http://h/x/y.pdf', None),
]

# Inputs where the spec differs from the reference on purpose:
# (content_disposition, url, content_type, spec's answer, why).
SPEC_OVERRIDES = [
    # (The euro and pound signs are not alphanumeric: _safe_filename drops them.)
    ("attachment; filename*=UTF-8''%e2%82%ac%20rates", 'http://h/x/y.pdf', None,
     'rates',
     'RFC 8187: the reference (on Python 3) decodes %-escapes as UTF-8 and then '
     're-encodes as ISO-8859-1, which fails for any non-Latin-1 name'),
    ("attachment; filename*=UTF-8''%C3%A9t%C3%A9.txt", 'http://h/x/y.pdf', None,
     '\u00e9t\u00e9.txt', 'RFC 8187 UTF-8, as above'),
    ("attachment; filename*=iso-8859-1'en'%A3%20rates", 'http://h/x/y.pdf', None,
     'rates',
     'RFC 8187 ISO-8859-1: the reference turns %A3 into U+FFFD and then fails'),
    ("attachment; filename*=ISO-8859-1''%E9t%E9.txt", 'http://h/x/y.pdf', None,
     '\u00e9t\u00e9.txt', 'RFC 8187 ISO-8859-1, as above'),
    ("attachment; filename=\"EURO rates\"; filename*=utf-8''%e2%82%ac%20rates",
     'http://h/x/y.pdf', None, 'rates', 'RFC 6266 appendix D: filename* wins'),
    ('attachment; foo="\\"\\\\";filename="foo.html"', 'http://h/x/y.pdf', None,
     'foo.html',
     'RFC 6266 appendix D: cgi.parse_header miscounts the escaped quotes'),
    ('attachment; filename="foo', 'http://h/x/y.pdf', None, 'y.pdf',
     'partial input: an unterminated quoted string is not used'),
    ('attachment; filename="foo"bar', 'http://h/x/y.pdf', None, 'y.pdf',
     'junk after the closing quote makes the parameter unusable'),
    ("attachment; filename*=UTF-8''%ZZbad.txt; filename=fallback.txt", 'http://h/x/y.pdf',
     None, 'fallback.txt',
     'a bad %-escape is not decodable: filename is used (Python unquote keeps it)'),
    ('attachment; filename= . a . ', 'http://h/x/y.pdf', None, 'a',
     'spaces and dots are stripped repeatedly at both ends (the reference strips '
     'spaces then dots once: " a ")'),
    ('attachment; filename="\u00e9t\u00e9.txt"', 'http://h/x/y.pdf', None,
     '\u00e9t\u00e9.txt',
     'a raw UTF-8 filename is UTF-8 (requests hands the reference ISO-8859-1 '
     'mojibake); this input is the UTF-8 bytes'),
    (None, 'http://h/files/report', 'application/pdf; charset=binary', 'report.pdf',
     'the media type is looked up without parameters (the reference looks up the '
     'whole header value and finds nothing)'),
    (None, 'http://h/files/report', 'Application/PDF', 'report.pdf',
     'media types are case-insensitive'),
    (None, 'http://h/files/data', 'application/json', 'data.json',
     'a few common types missing from the reference table are added'),
    (None, '', 'image/png', 'download.png',
     'no URL: "download" plus the extension (the reference returns None)'),
    (None, None, 'image/png', 'download.png',
     'no URL: "download" plus the extension (the reference returns None)'),
    ('attachment; filename="' + 'x' * 300 + '.txt"', 'http://h/x/y.pdf', None,
     'x' * 196 + '.txt', 'names are cut to 200 bytes, keeping the extension'),
]


def c_string(s):
    if s is None:
        return 'NULL'
    out = ['"']
    for b in s.encode('utf-8'):
        c = chr(b)
        if c in '"\\':
            out.append('\\' + c)
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append('\\%03o' % b)  # octal: never swallows the next char
    out.append('"')
    return ''.join(out)


def reference(cd, url, ct):
    name = _get_filename(url, ct, cd)
    return 'download' if name is None else name


def main():
    if sys.argv[1:] == ['--alnum-table']:
        ranges, start = [], None
        for cp in range(0x80, 0x110000):
            ok = chr(cp).isalnum()
            if ok and start is None:
                start = cp
            elif not ok and start is not None:
                ranges.append((start, cp - 1))
                start = None
        if start is not None:
            ranges.append((start, 0x10FFFF))
        print('/* %d ranges, Unicode %s */' % (len(ranges), unicodedata.unidata_version))
        line = ''
        for lo, hi in ranges:
            item = '{0x%X, 0x%X}, ' % (lo, hi)
            if len(line) + len(item) > 78:
                print(line.rstrip())
                line = ''
            line += item
        print(line.rstrip())
        return 0
    print('/* Generated by tests/unit/gen_download_cases.py from the reference\'s')
    print(' * _get_filename (python3-coreapi). Do not edit by hand. */')
    print('static const struct name_case REFERENCE_CASES[] = {')
    for cd, url, ct in CASES:
        print('    {%s, %s, %s, %s},' % (c_string(cd), c_string(url), c_string(ct),
                                        c_string(reference(cd, url, ct))))
    print('};')
    print()
    print('/* Where the spec differs from the reference on purpose. */')
    print('static const struct name_case SPEC_CASES[] = {')
    for cd, url, ct, spec, why in SPEC_OVERRIDES:
        # requests gives the reference header values decoded as ISO-8859-1.
        ref_cd = cd.encode('utf-8').decode('iso-8859-1') if cd else cd
        ref = reference(ref_cd, url, ct)
        if ref == spec:
            sys.stderr.write('override agrees with the reference: %r\n' % (cd or url))
            return 1
        shown = ascii(ref) if len(ref) <= 40 else ascii(ref[:20]) + '...'
        print('    /* %s; reference: %s */' % (why, shown))
        print('    {%s, %s, %s, %s},' % (c_string(cd), c_string(url), c_string(ct),
                                        c_string(spec)))
    print('};')
    return 0


if __name__ == '__main__':
    sys.exit(main())
