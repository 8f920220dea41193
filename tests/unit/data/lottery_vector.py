#!/usr/bin/env python3
"""An independent reference of lectern's lottery draw (docs/lottery.md), written from the
method's text, not from the C code: it makes tests/unit/data/lottery_vector*.json, the
published vectors that test_lottery_draw and the browser verifier must reproduce.
Usage: lottery_vector.py > lottery_vector.json"""
import hashlib, json, math, sys

def draw(about, tiers, entries, values, one_prize, reserve_percent):
    text = "".join(f"{c} {t}\n" for c, t in entries)
    sha = hashlib.sha256(text.encode()).hexdigest()
    norm = sorted((v.strip() for v in values), key=lambda v: v.encode())
    key = sha + "/" + "".join(v + "/" for v in norm)
    prizes = sum(q for _, q, _ in tiers)
    wanted = prizes + (prizes * reserve_percent + 99) // 100
    left = [t for _, t in entries]
    picks = []
    tier_of = [i for i, (_, q, _) in enumerate(tiers) for _ in range(q)]
    n = 0
    while len(picks) < wanted and sum(left) > 0:
        n += 1
        h = hashlib.sha256((key + str(n)).encode())
        remaining = sum(left)
        offset = int.from_bytes(h.digest(), "big") % remaining
        acc = 0
        for i, t in enumerate(left):
            acc += t
            if acc > offset:
                break
        picks.append({"n": n, "tier": tier_of[n - 1] if n <= prizes else None,
                      "hash": h.hexdigest(), "remaining": remaining, "offset": offset,
                      "code": entries[i][0]})
        left[i] -= left[i] if one_prize else 1
    return {"format": "lectern-lottery-draw/1", "about": about,
            "one_prize_per_member": one_prize, "reserve_percent": reserve_percent,
            "tiers": [{"name": a, "quantity": q, "value": v} for a, q, v in tiers],
            "entries": [[c, t] for c, t in entries], "entries_sha256": sha,
            "public_values": values, "key": key, "picks": picks}

entries = sorted((hashlib.sha256(f"member-{i}".encode()).hexdigest()[:16], t)
                 for i, t in enumerate([1, 5, 2, 10, 1, 3, 7, 1, 4, 6, 1, 2]))
about = {"lottery": 1, "draw": 1, "title": "职工积分抽奖（测试向量）", "points_per_ticket": 10}
tiers = [("一等奖 手机券", 1, "手机"), ("二等奖 电影券", 3, "50 元"), ("三等奖 商场券", 4, "100 元")]
one_prize = len(sys.argv) < 2 or sys.argv[1] != "--tickets"
rec = draw(about, tiers, entries, [" 05 11 17 23 29 31 + 08 ", "drand round 4242"], one_prize, 25)
print(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
