"""The seed's webhook stack, as the reference for bench/ingest.

FastAPI + uvicorn (one worker), Python's json, SQLite in WAL mode with the
commit before the 200 — the stack walltrack replaces (DESIGN §11). It does
the same job per delivery as walltrack's webhook: check the Authorization
header, parse the body, take each successful transaction's fee payer and
its SOL and token balance changes from accountData, and store one row per
transaction (ignoring repeated signatures) before answering.

Run by run_webhook_bench.sh:
    SEED_DB=... SEED_SECRET=... /usr/bin/python3 -m uvicorn seed_reference:app --port P
"""
import json
import os
import sqlite3

from fastapi import FastAPI, HTTPException, Request

app = FastAPI()
SECRET = os.environ["SEED_SECRET"]
conn = sqlite3.connect(os.environ["SEED_DB"], check_same_thread=False, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("PRAGMA synchronous=NORMAL")
conn.execute(
    "CREATE TABLE IF NOT EXISTS swaps (signature TEXT PRIMARY KEY, slot INTEGER, ts INTEGER,"
    " wallet TEXT, mint TEXT, side TEXT, token_amount TEXT, sol_change INTEGER, source TEXT)"
)


def decode(tx):
    if tx.get("transactionError"):
        return None
    payer = tx["feePayer"]
    sol = 0
    mint = None
    amount = 0
    for acc in tx.get("accountData", []):
        if acc["account"] == payer:
            sol += acc["nativeBalanceChange"]
        for ch in acc.get("tokenBalanceChanges", []):
            if ch["userAccount"] == payer:
                raw = int(ch["rawTokenAmount"]["tokenAmount"])
                if abs(raw) > abs(amount):
                    mint, amount = ch["mint"], raw
    if mint is None:
        return None
    side = "buy" if amount > 0 else "sell"
    return (tx["signature"], tx["slot"], tx["timestamp"], payer, mint, side, str(abs(amount)),
            sol + tx["fee"], tx.get("source", "UNKNOWN"))


@app.post("/webhooks/helius")
async def webhook(request: Request):
    if request.headers.get("authorization") != SECRET:
        raise HTTPException(status_code=401)
    txs = json.loads(await request.body())
    rows = [r for r in (decode(tx) for tx in txs) if r]
    conn.execute("BEGIN")
    conn.executemany("INSERT OR IGNORE INTO swaps VALUES (?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("COMMIT")
    return {"stored": len(rows)}
