#!/usr/bin/env python3
"""llhls_check: validates a live's Low-Latency HLS against the server rules of RFC 8216bis
(§4.4.3.7 PART-INF, §4.4.3.8 SERVER-CONTROL, §4.4.4.9 PART, §4.4.5.3 PRELOAD-HINT,
§4.4.5.4 RENDITION-REPORT, §6.2.5.2 blocking playlist reload) over HTTP, while it is live.

    llhls_check.py BASE_URL VIDEO_ID [--rounds N]

BASE_URL: http://127.0.0.1:PORT. Prints TAP lines ("ok N - …" / "not ok N - …") and exits 1
when any check failed. Checks, per rendition of the master playlist:
  - EXT-X-SERVER-CONTROL: CAN-BLOCK-RELOAD=YES, PART-HOLD-BACK >= 3 x PART-TARGET;
    EXT-X-PART-INF present; no PART without it
  - every EXT-X-PART DURATION <= PART-TARGET; every part but a segment's last >= 85 % of it
  - the parts of a whole segment add up to its EXTINF, and their bytes are the segment's
  - the first part of each segment is INDEPENDENT=YES, and every INDEPENDENT part begins with
    PAT/PMT and a keyframe (random access indicator on its first video packet)
  - EXT-X-PRELOAD-HINT (TYPE=PART) names the part that comes next
  - one EXT-X-RENDITION-REPORT per other rendition, LAST-MSN/LAST-PART within a part of its
    own playlist
Across renditions: the same parts per segment, each starting at the same video PTS.
Blocking reload: the next part asked for is answered only once the plain playlist lists it,
and within one PART-TARGET of that; 400 for _HLS_part without _HLS_msn, for a bad value, and
for a msn far ahead; the recording playlist has no parts.
"""
import re
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin

N = 0
FAILED = 0


def check(name, cond, detail=""):
    global N, FAILED
    N += 1
    if cond:
        print(f"ok {N} - {name}")
    else:
        FAILED += 1
        print(f"not ok {N} - {name}" + (f"  # {detail}" if detail else ""))
    sys.stdout.flush()
    return cond


def get(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read(), dict((k.lower(), v) for k, v in r.headers.items())
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict((k.lower(), v) for k, v in e.headers.items())


def attrs(line):
    out = {}
    for m in re.finditer(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)', line.split(":", 1)[1]):
        out[m.group(1)] = m.group(2).strip('"')
    return out


class Playlist:
    def __init__(self, text):
        self.text = text
        self.segments = []  # dicts: msn, dur, uri, parts
        self.pending = []   # parts of the segment being written
        self.server = self.partinf = self.hint = None
        self.reports = []
        self.msn0 = 0
        lines = text.splitlines()
        parts = []
        dur = None
        for l in lines:
            if l.startswith("#EXT-X-MEDIA-SEQUENCE:"):
                self.msn0 = int(l.split(":")[1])
            elif l.startswith("#EXT-X-SERVER-CONTROL:"):
                self.server = attrs(l)
            elif l.startswith("#EXT-X-PART-INF:"):
                self.partinf = attrs(l)
            elif l.startswith("#EXT-X-PART:"):
                a = attrs(l)
                parts.append({"dur": float(a["DURATION"]), "uri": a["URI"],
                              "indep": a.get("INDEPENDENT") == "YES"})
            elif l.startswith("#EXT-X-PRELOAD-HINT:"):
                self.hint = attrs(l)
            elif l.startswith("#EXT-X-RENDITION-REPORT:"):
                self.reports.append(attrs(l))
            elif l.startswith("#EXTINF:"):
                dur = float(l[8:].split(",")[0])
            elif l and not l.startswith("#"):
                self.segments.append({"msn": self.msn0 + len(self.segments), "dur": dur, "uri": l,
                                      "parts": parts})
                parts = []
        self.pending = parts

    def last_part(self):
        """(msn, part index) of the last part listed, or None."""
        if self.pending:
            return self.next_msn(), len(self.pending) - 1
        if self.segments and self.segments[-1]["parts"]:
            return self.segments[-1]["msn"], len(self.segments[-1]["parts"]) - 1
        return None

    def next_msn(self):
        return self.msn0 + len(self.segments)


def first_video(data):
    """(starts with PAT, PTS of the first video PES, its random access indicator) of TS bytes."""
    pat = len(data) >= 188 and data[0] == 0x47 and ((data[1] & 0x1F) << 8 | data[2]) == 0
    for i in range(0, len(data) - 187, 188):
        p = data[i:i + 188]
        if not (p[1] & 0x40):
            continue
        off, rai = 4, False
        if p[3] & 0x20:
            rai = p[4] > 0 and bool(p[5] & 0x40)
            off = 5 + p[4]
        if off + 14 <= 188 and p[off:off + 3] == b"\x00\x00\x01" and (p[off + 3] & 0xF0) == 0xE0:
            t = p[off + 9:off + 14]
            pts = ((t[0] >> 1) & 7) << 30 | t[1] << 22 | (t[2] >> 1) << 15 | t[3] << 7 | t[4] >> 1
            return pat, pts, rai
    return pat, None, False


def main():
    base, vid = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    master_url = f"{base}/hls/{vid}/master.m3u8"
    st, body, _ = get(master_url)
    check("master playlist served", st == 200, st)
    uris = [l for l in body.decode().splitlines() if l and not l.startswith("#")]
    check("master has renditions", len(uris) >= 2, uris)
    urls = [urljoin(master_url, u) for u in uris]
    pls = {}
    for u in urls:
        st, body, hdr = get(u)
        pls[u] = Playlist(body.decode())
    for u, pl in pls.items():
        name = u.split("/")[-2]
        check(f"{name}: EXT-X-SERVER-CONTROL with CAN-BLOCK-RELOAD=YES",
              pl.server and pl.server.get("CAN-BLOCK-RELOAD") == "YES", pl.server)
        check(f"{name}: EXT-X-PART-INF", pl.partinf and "PART-TARGET" in pl.partinf, pl.partinf)
        pt = float(pl.partinf["PART-TARGET"]) if pl.partinf else 1
        phb = float(pl.server.get("PART-HOLD-BACK", 0)) if pl.server else 0
        check(f"{name}: PART-HOLD-BACK {phb} >= 3 x PART-TARGET {pt}", phb + 1e-6 >= 3 * pt)
        whole = [s for s in pl.segments if s["parts"]]
        check(f"{name}: whole segments listed with their parts", len(whole) >= 2, len(whole))
        allparts = [p for s in whole for p in s["parts"]] + pl.pending
        over = [p for p in allparts if p["dur"] > pt + 0.0005]
        check(f"{name}: every part <= PART-TARGET", not over, over[:3])
        short = [p for s in whole for p in s["parts"][:-1] if p["dur"] < 0.85 * pt - 0.0005] + \
                [p for p in pl.pending[:-1] if p["dur"] < 0.85 * pt - 0.0005]
        check(f"{name}: parts but a segment's last are >= 85 % of PART-TARGET", not short, short[:3])
        bad_sum = [(s["msn"], s["dur"], round(sum(p["dur"] for p in s["parts"]), 3))
                   for s in whole if abs(sum(p["dur"] for p in s["parts"]) - s["dur"]) > 0.01]
        check(f"{name}: the parts of a segment add up to its EXTINF", not bad_sum, bad_sum)
        not_indep = [s["msn"] for s in whole if not s["parts"][0]["indep"]]
        check(f"{name}: each segment's first part is INDEPENDENT", not not_indep, not_indep)
        # Bytes: a whole segment is its parts end to end; INDEPENDENT parts start a decoder.
        s = whole[-1] if whole else None
        if s:
            datas = [get(urljoin(u, p["uri"]))[1] for p in s["parts"]]
            seg = get(urljoin(u, s["uri"]))[1]
            check(f"{name}: segment {s['msn']}'s bytes are its parts' bytes", b"".join(datas) == seg,
                  f"{sum(map(len, datas))} vs {len(seg)}")
            bad = [p["uri"] for p, d in zip(s["parts"], datas)
                   if p["indep"] and not (first_video(d)[0] and first_video(d)[2])]
            check(f"{name}: INDEPENDENT parts begin with PAT/PMT and a keyframe", not bad, bad)
        # Preload hint: the next part.
        check(f"{name}: EXT-X-PRELOAD-HINT TYPE=PART", pl.hint and pl.hint.get("TYPE") == "PART", pl.hint)
        # Rendition reports.
        others = [o for o in urls if o != u]
        reps = {urljoin(u, r["URI"]): r for r in pl.reports}
        check(f"{name}: a rendition report for every other rendition", sorted(reps) == sorted(others),
              list(reps))
        for o, r in reps.items():
            ol = pls.get(o)
            lp = ol.last_part() if ol else None
            rp = (int(r["LAST-MSN"]), int(r["LAST-PART"]))
            near = lp is not None and ((rp[0] == lp[0] and abs(rp[1] - lp[1]) <= 2) or abs(rp[0] - lp[0]) == 1)
            check(f"{name}: report of {o.split('/')[-2]} {rp} near its playlist's {lp}", near)

    # Alignment: the same parts, starting at the same video PTS, in every rendition.
    names = {u: u.split("/")[-2] for u in urls}
    common = set.intersection(*[{s["msn"] for s in pl.segments if s["parts"]} for pl in pls.values()])
    check("renditions share whole segments with parts", len(common) >= 1, common)
    if common:
        m = max(common)
        per = {}
        for u, pl in pls.items():
            s = next(s for s in pl.segments if s["msn"] == m)
            per[u] = [first_video(get(urljoin(u, p["uri"]))[1])[1] for p in s["parts"]]
        counts = {names[u]: len(v) for u, v in per.items()}
        check(f"segment {m}: the same number of parts in every rendition", len(set(counts.values())) == 1,
              counts)
        ref = next(iter(per.values()))
        check(f"segment {m}: every part starts at the same video PTS in every rendition",
              all(v == ref for v in per.values()), {names[u]: v for u, v in per.items()})

    # Blocking reload.
    u = urls[0]
    for rnd in range(rounds):
        pl = Playlist(get(u)[1].decode())
        lp = pl.last_part()
        pt = float(pl.partinf["PART-TARGET"])
        if lp is None:
            check("blocking: a part to start from", False)
            break
        # The next part: after a whole segment's last part, the next segment's first.
        complete = any(s["msn"] == lp[0] for s in pl.segments)
        msn, part = (lp[0] + 1, 0) if complete else (lp[0], lp[1] + 1)
        want_hint = pl.hint["URI"] if pl.hint else None
        result = {}

        def blocking():
            t0 = time.monotonic()
            st, body, hdr = get(f"{u}?_HLS_msn={msn}&_HLS_part={part}", timeout=30)
            result.update(t=time.monotonic(), t0=t0, st=st, body=body.decode(errors="replace"), hdr=hdr)

        th = threading.Thread(target=blocking)
        th.start()
        appeared = None
        early = False
        while th.is_alive():
            p2 = Playlist(get(u)[1].decode())
            now = time.monotonic()
            lp2 = p2.last_part()
            has = lp2 is not None and (lp2[0] > msn or (lp2[0] == msn and lp2[1] >= part) or
                                       any(s["msn"] == msn for s in p2.segments))
            if has and appeared is None:
                appeared = now
                newest = p2
            time.sleep(0.01)
        th.join()
        if appeared is None:  # answered before our poll saw it: it must then be listed in the answer
            appeared = result["t"]
            newest = Playlist(result["body"])
        rp = Playlist(result["body"])
        lpr = rp.last_part()
        listed = lpr is not None and (lpr[0] > msn or (lpr[0] == msn and lpr[1] >= part) or
                                      any(s["msn"] == msn for s in rp.segments))
        check(f"blocking {rnd}: ({msn}, {part}) answered 200", result["st"] == 200, result["st"])
        check(f"blocking {rnd}: the answer lists the part asked for", listed, lpr)
        check(f"blocking {rnd}: not answered before the part appeared",
              result["t"] >= appeared - 0.05 and result["t"] - result["t0"] > 0.02,
              f"answer {result['t'] - appeared:+.3f} s after it appeared")
        check(f"blocking {rnd}: answered within one PART-TARGET ({pt} s) of the part appearing "
              f"({result['t'] - appeared:+.3f} s)", result["t"] - appeared <= pt)
        check(f"blocking {rnd}: the answer may be cached by its query",
              "public" in result["hdr"].get("cache-control", ""), result["hdr"].get("cache-control"))
        # The hint named the part that came next (or the next segment's first one).
        nxt = [p["uri"] for s in rp.segments if s["msn"] == msn for p in s["parts"][part:part + 1]]
        if lpr and lpr[0] == msn and not nxt:
            nxt = [rp.pending[part]["uri"]] if len(rp.pending) > part else []
        check(f"blocking {rnd}: the preload hint named it",
              want_hint in nxt or (not nxt and want_hint and want_hint.endswith("-p0.ts")) or
              (any(s["msn"] == msn for s in rp.segments) and want_hint is not None),
              f"hint {want_hint}, came {nxt}")

    # Refusals.
    pl = Playlist(get(u)[1].decode())
    st, _, hdr = get(f"{u}?_HLS_part=1")
    check("_HLS_part without _HLS_msn: 400", st == 400, st)
    st, _, _ = get(f"{u}?_HLS_msn=abc")
    check("_HLS_msn not a number: 400", st == 400, st)
    st, _, _ = get(f"{u}?_HLS_msn={pl.next_msn() + 10}")
    check("_HLS_msn far past the live edge: 400", st == 400, st)
    st, _, _ = get(f"{u}?_HLS_msn={pl.next_msn()}&_HLS_part=40")
    check("_HLS_part past the Advance Part Limit: 400", st == 400, st)
    t0 = time.monotonic()
    st, body, _ = get(f"{u}?_HLS_msn={max(pl.msn0, 0)}")
    check("a segment already listed: answered at once", st == 200 and time.monotonic() - t0 < 0.3, st)
    st, body, _ = get(urljoin(u, "recording.m3u8"))
    check("the recording playlist has no parts", st == 200 and b"#EXT-X-PART" not in body and
          b"SERVER-CONTROL" not in body, st)
    print(f"1..{N}")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
