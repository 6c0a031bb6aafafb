#!/usr/bin/env python3
"""Checks a self-contained HTML report: statically, then in a real headless Chromium.

Usage: python3 tests/tools/check_report.py REPORT.html [--screenshot OUT.png] [--expect TEXT ...]

Static checks: every resource the page refers to (<img src/srcset>, <link href>,
<script src>, <source>, <video poster>, <iframe>, <object>, <embed>, CSS url(...) and
@import, in <style> and in style="...") is a data: URI; every --expect TEXT appears in
the page's text (whitespace collapsed, entities decoded, script/style left out).

Browser checks: /usr/bin/chromium --headless is driven over the DevTools protocol on
--remote-debugging-pipe (file descriptors 3 and 4, NUL-separated JSON: no port, no
websocket). It subscribes to Runtime.consoleAPICalled, Runtime.exceptionThrown,
Log.entryAdded, Network.requestWillBeSent/loadingFailed and Inspector.targetCrashed,
opens file://REPORT, waits for the load event and two painted frames, counts the
images that did not decode, and takes a Page.captureScreenshot of the fixed viewport.
The screenshot PNG is decoded here (zlib, all five filters) to tell a blank page.

Fails (exit 1, one line per problem, each starting with the report's path) on: an
outside resource, a missing --expect text, a console error or assert, an uncaught
exception, a failed load, a request for anything but the page itself or a data: URI,
an image that did not decode, a dialog, a crash, a blank screenshot, Chromium failing
or timing out. On success prints one line: path, screenshot size, fraction of
non-background pixels, number of images. Exit 2 on a usage error.
"""
import argparse
import base64
import collections
import html.parser
import json
import os
import pathlib
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 1280, 2000
MIN_INK = 0.001  # default least fraction of non-background pixels; --min-ink changes it


# ---------------------------------------------------------------- static checks

CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)

# element -> attributes that load something (srcset-like ones are parsed as lists)
RESOURCE_ATTRS = {
    "img": ("src", "srcset"), "source": ("src", "srcset"), "link": ("href", "imagesrcset"),
    "script": ("src",), "iframe": ("src",), "frame": ("src",), "embed": ("src",),
    "object": ("data",), "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
    "input": ("src",), "body": ("background",), "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"), "feimage": ("href", "xlink:href"),
}
SRCSET_ATTRS = ("srcset", "imagesrcset")
HYPERLINK_RELS = {"canonical", "alternate", "author", "help", "license", "next", "prev", "search"}


def css_urls(css):
    css = CSS_COMMENT.sub("", css)
    for m in CSS_URL.finditer(css):
        yield next(g for g in m.groups() if g is not None)
    for m in CSS_IMPORT.finditer(css):
        yield next(g for g in m.groups() if g is not None)


def srcset_urls(value):
    """URLs of a srcset (HTML's algorithm: a URL is a run of non-spaces; data: URIs hold commas)."""
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        j = i
        while j < n and not value[j].isspace():
            j += 1
        url = value[i:j]
        if url.endswith(","):
            url = url.rstrip(",")
            i = j
        else:  # skip the descriptors up to the next comma outside parentheses
            depth = 0
            while j < n and (value[j] != "," or depth):
                depth += {"(": 1, ")": -1}.get(value[j], 0)
                j += 1
            i = j
        if url:
            yield url


class StaticScan(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs = []   # (where, url)
        self.text = []
        self.skip = 0    # inside <script>/<style>/<template>
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)
        if tag in ("script", "style", "template"):
            self.skip += 1
            self.in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.skip:
            self.skip -= 1
            self.in_style = False

    def _tag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.refs += [(f"<{tag} style>", u) for u in css_urls(value)]
            elif name in RESOURCE_ATTRS.get(tag, ()):
                rel = set((dict(attrs).get("rel") or "").lower().split())
                if tag == "link" and rel and rel <= HYPERLINK_RELS:
                    continue  # a link to somewhere, which the browser does not load
                if tag == "use" and value.startswith("#"):
                    continue  # a reference inside the document
                urls = srcset_urls(value) if name in SRCSET_ATTRS else [value.strip()]
                self.refs += [(f"<{tag} {name}>", u) for u in urls]

    def handle_data(self, data):
        if self.in_style:
            self.refs += [("CSS", u) for u in css_urls(data)]
        elif not self.skip:
            self.text.append(data)


def short(s, n=80):
    s = s.replace("\n", " ")
    return s if len(s) <= n else s[:n - 3] + "..."


def static_problems(source, expects):
    scan = StaticScan()
    scan.feed(source)
    scan.close()
    problems = []
    for where, url in scan.refs:
        if not url.lower().startswith("data:"):
            problems.append(f"refers to an outside resource {short(url) or '(empty)'!r} ({where})")
    text = " ".join(" ".join(scan.text).split())
    for e in expects:
        if " ".join(e.split()) not in text:
            problems.append(f"expected text {e!r} is not in the page")
    return problems


# ---------------------------------------------------------------- PNG decoding

def decode_png(data):
    """-> (width, height, channels, raw bytes of 8-bit samples, rows unfiltered)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})")
    raw = zlib.decompress(b"".join(idat))
    bpp, stride = channels, w * channels
    out = bytearray(h * stride)
    prev = bytearray(stride)
    mask = 256 ** stride - 1
    lo = int.from_bytes(b"\x7f" * stride, "big")
    hi = int.from_bytes(b"\x80" * stride, "big")
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:    # Sub: running sum per channel
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:  # Up: bytewise sum without carries, on big integers
            a, b = int.from_bytes(line, "big"), int.from_bytes(prev, "big")
            line = bytearray(((((a & lo) + (b & lo)) ^ ((a ^ b) & hi)) & mask).to_bytes(stride, "big"))
        elif f == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        elif f != 0:
            raise ValueError(f"bad PNG filter {f} on row {y}")
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return w, h, channels, bytes(out)


def ink(png):
    """-> (width, height, fraction of pixels unlike the most common colour, distinct colours or None).

    The background is the most common colour: the most common in a sample of pixels, counted
    exactly (a sample misses it only when no colour dominates, i.e. far from blank; counting
    every colour of a busy 1280x2000 picture took 1.2 s). Colours are counted when blank."""
    w, h, ch, raw = decode_png(png)
    if ch == 4:
        packed = raw
    else:  # one 32-bit word a pixel, by slice assignment (C speed), to compare them as integers
        packed = bytearray(w * h * 4)
        for c in range(ch):
            packed[c::4] = raw[c::ch]
    pixels = memoryview(packed).cast("I").tolist()
    candidates = collections.Counter(pixels[::97]).most_common(3)
    most = max(pixels.count(colour) for colour, _ in candidates)
    fraction = 1 - most / (w * h)
    return w, h, fraction, len(set(pixels)) if fraction < 0.05 else None


# ---------------------------------------------------------------- the browser

class BrowserError(Exception):
    pass


class Chromium:
    """A headless Chromium driven over --remote-debugging-pipe (fd 3: commands in, fd 4: out)."""

    def __init__(self, profile, log, deadline):
        self.deadline = deadline
        self.log = log
        self.next_id = 0
        self.events = []
        self.buf = b""
        cmd_r, self.cmd_w = os.pipe()
        self.out_r, out_w = os.pipe()

        def child_fds():
            a, b = os.dup(cmd_r), os.dup(out_w)  # out of the way of 3 and 4 first
            os.dup2(a, 3)  # dup2 makes them inheritable; everything else Python opened is not
            os.dup2(b, 4)

        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars",
                "--force-device-scale-factor=1", "--remote-debugging-pipe",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--mute-audio", "--host-resolver-rules=MAP * ~NOTFOUND", "about:blank"]
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         close_fds=False, preexec_fn=child_fds, start_new_session=True)
        except OSError as e:
            raise BrowserError(f"cannot start {CHROMIUM}: {e.strerror} (scripts/setup installs chromium)")
        finally:
            os.close(cmd_r)
            os.close(out_w)

    def _read(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([self.out_r], [], [], left)
        if not ready:
            raise TimeoutError
        chunk = os.read(self.out_r, 1 << 20)
        if not chunk:
            try:
                code = self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                code = "none yet"
            raise BrowserError(f"Chromium closed the DevTools pipe (exit code {code})")
        self.buf += chunk

    def message(self):
        while b"\0" not in self.buf:
            self._read()
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self.cmd_w, data):]
        except OSError as e:  # EPIPE: it has gone
            code = self.proc.poll()
            raise BrowserError(f"Chromium closed the DevTools pipe ({e.strerror}, exit code {code})")
        return self.next_id

    def call(self, method, session=None, **params):
        want = self.send(method, session, **params)
        while True:
            msg = self.message()
            if msg.get("id") == want:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            self.on_event(msg)

    def wait_event(self, method, session):
        while True:
            msg = self.message()
            if msg.get("method") == method and msg.get("sessionId") == session:
                return msg.get("params", {})
            self.on_event(msg)

    def on_event(self, msg):
        if "method" in msg:
            self.events.append(msg)
            if msg["method"] in ("Inspector.targetCrashed", "Target.detachedFromTarget"):
                raise BrowserError("the page crashed in Chromium or was closed")  # no load event will come
            if msg["method"] == "Page.javascriptDialogOpening":  # would block the page for ever
                self.send("Page.handleJavaScriptDialog", msg.get("sessionId"), accept=False)

    def close(self, gracefully):
        if gracefully:  # let Chromium shut down; it has a few seconds
            try:
                self.send("Browser.close")
                self.proc.wait(timeout=5)
            except (BrowserError, subprocess.TimeoutExpired):
                pass
        try:  # whatever is left of its process group: the browser, renderers, crash handler
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        os.close(self.cmd_w)
        os.close(self.out_r)


SETTLE_JS = """new Promise(done => setTimeout(() =>
    requestAnimationFrame(() => requestAnimationFrame(() => done(JSON.stringify({
        images: document.images.length,
        broken: [...document.images].map((img, i) => [i + 1, img.currentSrc || img.src || '',
                                                     img.complete, img.naturalWidth])
                                   .filter(([i, src, complete, w]) => !complete || w == 0)
    })))), 200))"""


def remote_object_text(arg):
    if "value" in arg:
        return arg["value"] if isinstance(arg["value"], str) else json.dumps(arg["value"])
    return arg.get("description") or arg.get("unserializableValue") or arg.get("type", "?")


def browser_check(path, screenshot, timeout):
    """-> (problems, stats: dict or None)."""
    url = pathlib.Path(path).resolve().as_uri()  # file:///..., percent-encoded as Chromium has it
    problems = []
    with tempfile.TemporaryDirectory(prefix="check_report.") as tmp:
        log_path = os.path.join(tmp, "chromium.log")
        with open(log_path, "w+b") as log:
            browser, done = None, False
            try:
                browser = Chromium(os.path.join(tmp, "profile"), log, time.monotonic() + timeout)
                target = browser.call("Target.createTarget", url="about:blank")["targetId"]
                session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
                for domain in ("Page", "Runtime", "Log", "Network", "Inspector"):
                    browser.call(f"{domain}.enable", session)
                # --window-size counts the (invisible) browser frame: the viewport is set here
                browser.call("Emulation.setDeviceMetricsOverride", session, width=WIDTH, height=HEIGHT,
                             deviceScaleFactor=1, mobile=False)
                nav = browser.call("Page.navigate", session, url=url)
                if nav.get("errorText"):
                    raise BrowserError(f"cannot open {url}: {nav['errorText']}")
                browser.wait_event("Page.loadEventFired", session)
                result = browser.call("Runtime.evaluate", session, expression=SETTLE_JS,
                                      awaitPromise=True, returnByValue=True)
                if "exceptionDetails" in result:
                    raise BrowserError("the page could not be inspected: " +
                                       result["exceptionDetails"].get("text", "?"))
                info = json.loads(result["result"]["value"])
                # optimizeForSpeed: Chromium then files every row with the Up filter, which
                # decode_png undoes on whole rows at once (the other filters cost ~4 s a picture)
                shot = base64.b64decode(browser.call("Page.captureScreenshot", session, format="png",
                                                     optimizeForSpeed=True)["data"])
                events = [e for e in browser.events if e.get("sessionId") == session]
                done = True
            except TimeoutError:
                return problems + [f"Chromium timed out after {timeout:g} s"], None
            except BrowserError as e:
                log.flush()
                log.seek(0)
                tail = [l for l in log.read().decode(errors="replace").splitlines()
                        if l.strip() and "dbus" not in l and "unexpected operator" not in l][-3:]
                return problems + [str(e) + "".join(f" | {short(l, 200)}" for l in tail)], None
            finally:
                if browser:
                    browser.close(gracefully=done)

    failed_urls = set()
    requests = {}
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            text = " ".join(remote_object_text(a) for a in p.get("args", []))
            problems.append(f"console.{p['type']}: {short(text, 200)}")
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = d.get("exception", {}).get("description") or d.get("text", "?")
            problems.append(f"uncaught exception: {short(text.splitlines()[0] if text else '?', 200)}"
                            f" (line {d.get('lineNumber', -1) + 1})")
        elif m == "Network.requestWillBeSent":
            req_url = p.get("request", {}).get("url", "")
            requests[p.get("requestId")] = req_url
            if req_url != url and not req_url.startswith("data:"):
                problems.append(f"the browser requested an outside resource {short(req_url)!r}")
        elif m == "Network.loadingFailed":
            req_url = requests.get(p.get("requestId"), "?")
            failed_urls.add(req_url)
            problems.append(f"failed to load {short(req_url)!r}: {p.get('errorText')}"
                            + (f" ({p['blockedReason']})" if p.get("blockedReason") else ""))
        elif m == "Page.javascriptDialogOpening":
            problems.append(f"the page opened a dialog ({p.get('type')}): {short(p.get('message', ''))!r}")
    for e in events:  # browser-side errors (network, security, rendering) not told above
        if e["method"] == "Log.entryAdded":
            entry = e["params"].get("entry", {})
            if entry.get("level") == "error" and not (entry.get("source") == "network"
                                                      and entry.get("url") in failed_urls):
                problems.append(f"browser error ({entry.get('source')}): {short(entry.get('text', ''), 200)}"
                                + (f" [{short(entry['url'])}]" if entry.get("url") else ""))
    for i, src, complete, width in info["broken"]:
        problems.append(f"image {i} ({short(src, 60)!r}) did not "
                        + ("finish loading" if not complete else "load or decode (naturalWidth 0)"))
    if screenshot:
        with open(screenshot, "wb") as f:
            f.write(shot)
    try:
        w, h, fraction, colours = ink(shot)
    except (ValueError, zlib.error, struct.error) as e:
        return problems + [f"cannot decode the screenshot: {e}"], None
    if fraction < MIN_INK:
        problems.append(f"the screenshot is blank: {fraction:.4%} of {w}x{h} pixels differ from the "
                        f"background ({colours} colour(s); at least {MIN_INK:.2%} wanted)")
    return problems, {"size": f"{w}x{h}", "ink": fraction, "images": info["images"]}


def main():
    global MIN_INK
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("report")
    ap.add_argument("--screenshot", metavar="OUT.png", help="keep the screenshot here")
    ap.add_argument("--expect", metavar="TEXT", nargs="+", action="extend", default=[],
                    help="text the page must contain (repeatable)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds for Chromium (default 120)")
    ap.add_argument("--min-ink", type=float, default=MIN_INK,
                    help="least fraction of pixels unlike the background colour (default 0.001: "
                         "a 64x64 picture alone is 0.0016 of the 1280x2000 viewport)")
    args = ap.parse_args()
    MIN_INK = args.min_ink
    name = args.report
    try:
        with open(name, "rb") as f:
            source = f.read().decode("utf-8", errors="replace")
    except OSError as e:
        print(f"{name}: cannot read: {e.strerror}", file=sys.stderr)
        return 1
    problems = static_problems(source, args.expect)
    more, stats = browser_check(name, args.screenshot, args.timeout)
    problems += more
    if problems:
        for p in problems:
            print(f"{name}: {p}", file=sys.stderr)
        return 1
    print(f"{name}: ok, screenshot {stats['size']}, {stats['ink']:.2%} non-background pixels, "
          f"{stats['images']} image(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
