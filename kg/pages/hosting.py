"""The rules a static host needs to serve an exported folder at the graph's IRIs.

The folder holds `model/gpt-2.html`, `.json`, `.ttl` and `.jsonld`; the IRI is `BASE model/gpt-2`, without a
suffix. So the host must map the bare path to a file:

- **Apache httpd** (`.htaccess`, needs mod_rewrite; mod_headers optional): content negotiation on the
  `Accept` header. A client that asks for Turtle gets `gpt-2.ttl`, one that asks for JSON-LD gets
  `gpt-2.jsonld`, anyone else the HTML page. mod_rewrite matches media types by name and cannot weigh
  q-values: a client listing `text/turtle` at all gets Turtle.
- **Netlify, Cloudflare Pages and hosts that read the same files** (`_redirects`, `_headers`): they cannot
  choose by `Accept`, so the bare path serves the HTML page and machines use the suffixes, which every page
  announces with `<link rel="alternate">`. `_headers` sets the media types and lets other sites read the
  data (CORS).

Links between pages always carry the `.html` suffix, so the folder also works on a host with no rules at all
and opened from disk.
"""

from __future__ import annotations

MEDIA_TYPES = (
    ("ttl", "text/turtle; charset=utf-8"),
    ("jsonld", "application/ld+json"),
    ("json", "application/json"),
    ("nt", "application/n-triples"),
    ("csv", "text/csv; charset=utf-8"),
    ("tsv", "text/tab-separated-values; charset=utf-8"),
    ("srj", "application/sparql-results+json"),
    ("srx", "application/sparql-results+xml"),
)
DATA_SUFFIXES = tuple(ext for ext, _ in MEDIA_TYPES)


def htaccess() -> str:
    add_types = "\n".join(f"AddType {media.replace('; ', ';')} .{ext}" for ext, media in MEDIA_TYPES)
    data = "|".join(DATA_SUFFIXES)
    return f"""# Written by `kg publish --static`: serves this folder as linked data on Apache httpd.
# A request for an IRI path without suffix (/model/gpt-2) gets the form its Accept header asks for:
# Turtle (.ttl), JSON-LD (.jsonld), or the HTML page (.html). Needs mod_rewrite (AllowOverride FileInfo).
# If the folder is served through an Alias, add `RewriteBase /its/url/path/` below `RewriteEngine On`.
Options -MultiViews
DirectorySlash Off
DirectoryIndex index.html
AddCharset utf-8 .html
{add_types}

<IfModule mod_headers.c>
  Header always set X-Content-Type-Options "nosniff"
  Header merge Vary Accept
  <FilesMatch "\\.({data})$">
    Header set Access-Control-Allow-Origin "*"
  </FilesMatch>
</IfModule>

RewriteEngine On
RewriteCond %{{HTTP_ACCEPT}} text/turtle
RewriteCond %{{REQUEST_FILENAME}}.ttl -f
RewriteRule ^(.+)$ $1.ttl [L]
RewriteCond %{{HTTP_ACCEPT}} application/ld\\+json
RewriteCond %{{REQUEST_FILENAME}}.jsonld -f
RewriteRule ^(.+)$ $1.jsonld [L]
RewriteCond %{{REQUEST_FILENAME}}.html -f
RewriteRule ^(.+)$ $1.html [L]
"""


def redirects(prefixes: list[str], pages: list[str]) -> str:
    """`_redirects`: every bare path under `prefixes` (folders) and each top-level page in `pages`."""
    lines = [
        "# Written by `kg publish --static` (Netlify, Cloudflare Pages): an IRI path without suffix serves its",
        "# HTML page (status 200: a rewrite, the address stays). These hosts cannot choose by the Accept header:",
        "# the Turtle and JSON-LD forms are at the same path with .ttl and .jsonld.",
    ]
    lines += [f"/{page}  /{page}.html  200" for page in sorted(pages)]
    lines += [f"/{prefix}/*  /{prefix}/:splat.html  200" for prefix in sorted(prefixes)]
    return "\n".join(lines) + "\n"


def headers() -> str:
    lines = [
        "# Written by `kg publish --static` (Netlify, Cloudflare Pages): media types of the data files, and",
        "# CORS so that other sites can read them.",
        "/*",
        "  X-Content-Type-Options: nosniff",
    ]
    for ext, media in MEDIA_TYPES:
        lines += [f"/*.{ext}", f"  Content-Type: {media}", "  Access-Control-Allow-Origin: *"]
    return "\n".join(lines) + "\n"
