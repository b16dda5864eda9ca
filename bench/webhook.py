"""Webhook throughput and latency, three servers in one run (issue 2, item 15).

(a) a bare aiohttp handler answering "success";
(b) a minimal safe-mode echo with wechatpy (decrypt, parse, encrypted reply);
(c) the full siyu pipeline (decrypt, dedupe, durable write with group commit, nlp and tags,
    handler, encrypted reply) on SQLite and the in-process store, one process;
(d) the same with nlp switched off (SIYU_NLP__ENABLED=false): issue 2's pipeline alone.
Each server runs in its own process; wrk (one thread, 50 connections, 10 s) replays unique
signed, encrypted WeChat messages. Needs wrk: `apt-get install wrk`.

    python bench/webhook.py [--seconds 10] [--connections 50]
    python bench/webhook.py --against ../base   # (c) and (d) of another checkout too, in turns
    python bench/webhook.py --corpus calm       # without the three complaint lines

`--against DIR` runs DIR's own bench/webhook.py servers (with DIR/.venv/bin/python) for (c) and
(d) right after this checkout's, in the same run, so a change is compared on the same machine
state ("within 5 % of the previous commit").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.wechat.crypto import MessageCrypto  # noqa: E402
from bot.wechat.simulator import Simulator, text_xml  # noqa: E402

TOKEN, AES_KEY, APP_ID = (
    "bench-token",
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "wxbench0000000000",
)
MESSAGES = [
    "你好，请问今天有优惠活动吗？",
    "我的快递三天了还没到，怎么回事",
    "积分怎么兑换",
    "谢谢，客服态度很好",
    "东西质量太差了，我要退款",
    "营业时间是几点到几点",
    "这个口红有没有新色号",
    "转人工",
    "上次买的面膜用着不错，还想再买两盒",
    "为什么订单一直显示待发货？",
    "好评！包装很用心",
    "在吗",
]
# The lines that open or join a complaint ticket (a write transaction of its own: 9 round trips
# to the database thread on SQLite where another message takes 2): `--corpus calm` leaves them
# out, to tell the pipeline's own cost from the complaint flow's.
COMPLAINTS = {"我的快递三天了还没到，怎么回事", "东西质量太差了，我要退款"}
CORPORA = {"mixed": MESSAGES, "calm": [m for m in MESSAGES if m not in COMPLAINTS]}


def serve_bare(port: int) -> None:
    from aiohttp import web

    async def ok(_: web.Request) -> web.Response:
        return web.Response(text="success")

    app = web.Application()
    app.router.add_post("/wechat/oa", ok)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def serve_wechatpy_echo(port: int) -> None:
    from aiohttp import web
    from wechatpy import create_reply, parse_message
    from wechatpy.crypto import WeChatCrypto

    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)

    async def echo(request: web.Request) -> web.Response:
        q = request.query
        xml = crypto.decrypt_message(
            await request.read(), q["msg_signature"], q["timestamp"], q["nonce"]
        )
        message = parse_message(xml)
        reply = create_reply(getattr(message, "content", "success"), message)
        return web.Response(text=crypto.encrypt_message(reply.render(), q["nonce"], q["timestamp"]))

    app = web.Application()
    app.router.add_post("/wechat/oa", echo)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def serve_siyu(port: int, workdir: str) -> None:
    import logging

    from aiohttp import web

    from bot.app import create_app
    from bot.config import load_settings
    from bot.startup import prepare_process

    logging.basicConfig(level=logging.WARNING)
    os.environ.update(
        {
            "SIYU_DATABASE_URL": f"sqlite://{workdir}/bench.sqlite3",
            "SIYU_WECHAT__OA__TOKEN": TOKEN,
            "SIYU_WECHAT__OA__ENCODING_AES_KEY": AES_KEY,
            "SIYU_WECHAT__OA__APP_ID": APP_ID,
        }
    )
    settings = load_settings(ROOT / "config.yaml")
    prepare_process(settings)
    web.run_app(create_app(settings), host="127.0.0.1", port=port, access_log=None, print=None)


def serve_siyu_without_nlp(port: int, workdir: str) -> None:
    os.environ["SIYU_NLP__ENABLED"] = "false"
    serve_siyu(port, workdir)


SERVERS = {"a": serve_bare, "b": serve_wechatpy_echo, "c": serve_siyu, "d": serve_siyu_without_nlp}


def build_requests(path: Path, count: int, lines: list[str] = MESSAGES) -> None:
    sim = Simulator(MessageCrypto(TOKEN, AES_KEY, APP_ID), receiver="gh_bench")
    rng = random.Random(7)
    base = int(time.time() * 1000) * 1000
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            openid = f"oBench{rng.randrange(500):05d}"  # customers recur, as in a real chat
            request = sim.oa_safe(text_xml(openid, "gh_bench", rng.choice(lines), base + i), openid)
            out.write(f"/wechat/oa?{urlencode(request.params)}\t{request.body.decode()}\n")


def wait_ready(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/wechat/oa", timeout=1)
        except urllib.error.HTTPError:
            return  # answering (405/400 is fine)
        except OSError:
            time.sleep(0.2)
            continue
        return
    raise SystemExit(f"server on port {port} did not start")


def run_wrk(port: int, requests_file: Path, seconds: int, connections: int) -> dict[str, float]:
    script = Path(__file__).with_name("wrk_replay.lua")
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
        "--",
        str(requests_file),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc): robust to other load on the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    kind: str, port: int, requests_file: Path, args: argparse.Namespace, root: Path = ROOT
) -> dict[str, float]:
    workdir = tempfile.mkdtemp(prefix="siyu-bench-")
    python = sys.executable if root == ROOT else str(root / ".venv" / "bin" / "python")
    script = root / "bench" / "webhook.py"
    server = subprocess.Popen(
        [python, str(script), "--serve", kind, "--port", str(port), "--workdir", workdir],
        cwd=root,
    )
    try:
        wait_ready(port)
        run_wrk(port, requests_file, 3, args.connections)  # warm-up (customers, caches, jieba)
        cpu_before = cpu_seconds(server.pid)
        result = run_wrk(port, requests_file, args.seconds, args.connections)
        result["cpu_us"] = (cpu_seconds(server.pid) - cpu_before) / result["requests"] * 1e6
        return result
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--serve", choices=sorted(SERVERS))
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--workdir", default="")
    parser.add_argument("--against", type=Path, help="another checkout to compare (c) and (d) with")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="mixed")
    args = parser.parse_args()
    if args.serve:
        server = SERVERS[args.serve]
        server(args.port, args.workdir) if args.serve in "cd" else server(args.port)  # type: ignore[call-arg]
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        requests_file = Path(tmp) / "requests.txt"
        build_requests(requests_file, 12_000 * (args.seconds + 2), CORPORA[args.corpus])
        results = {}
        for i, k in enumerate("abcd"):
            results[k] = measure(k, args.port + i, requests_file, args)
            if args.against and k in "cd":
                results[f"{k}0"] = measure(k, args.port + 10 + i, requests_file, args, args.against)
    report(results)


def report(results: dict[str, dict[str, float]]) -> None:
    rate = {k: r["requests"] / r["seconds"] for k, r in results.items()}
    cpu = {k: r["cpu_us"] for k, r in results.items()}
    names = {"a": "bare aiohttp", "b": "wechatpy echo", "c": "siyu pipeline", "d": "siyu, nlp off"}
    names |= {"c0": "  (against)", "d0": "  (against)"}
    print(
        f"{'server':<18}{'msg/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'CPU us/msg':>12}{'err':>6}{'non-2xx':>9}"
    )
    for k, r in results.items():
        print(
            f"({k:<2}){names[k]:<14}{rate[k]:>8.0f}{r['p50_us'] / 1000:>9.2f}{r['p99_us'] / 1000:>9.2f}"
            f"{cpu[k]:>12.0f}{r['errors']:>6.0f}{r['non2xx']:>9.0f}"
        )
    for k in "cd":
        print(
            f"throughput   {k}/b = {rate[k] / rate['b']:.2f}   {k}/a = {rate[k] / rate['a']:.2f}"
            f"      CPU per msg  b/{k} = {cpu['b'] / cpu[k]:.2f}"
        )
        if f"{k}0" in rate:
            print(
                f"against      {k}/{k}0 = {rate[k] / rate[k + '0']:.3f}"
                f"   CPU per msg {k}0/{k} = {cpu[k + '0'] / cpu[k]:.3f}"
            )


if __name__ == "__main__":
    main()
