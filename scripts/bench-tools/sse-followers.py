"""Opens N Server-Sent Events followers of RAD's GET /api/events on 127.0.0.1, holds them HOLD seconds, then closes
them; prints how many opened and how many events they read. Used by scripts/bench-api."""
import asyncio, os, sys
N = int(sys.argv[1]); HOLD = float(sys.argv[2]); PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 7080
TOKEN = os.environ.get('RAD_API_TOKEN', '')  # from the environment, never the command line
async def follow(i, opened, events):
    r, w = await asyncio.open_connection('127.0.0.1', PORT)
    auth = f"Authorization: Bearer {TOKEN}\r\n" if TOKEN else ""
    w.write(f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n{auth}\r\n".encode())
    await w.drain()
    head = await r.readuntil(b"\r\n\r\n")
    if b" 200 " in head.split(b"\r\n")[0]:
        opened.append(i)
    try:
        end = asyncio.get_event_loop().time() + HOLD
        while asyncio.get_event_loop().time() < end:
            chunk = await asyncio.wait_for(r.read(4096), timeout=max(0.1, end - asyncio.get_event_loop().time()))
            if not chunk: break
            events[0] += chunk.count(b"event: ")
    except asyncio.TimeoutError:
        pass
    w.close()
async def main():
    opened, events = [], [0]
    await asyncio.gather(*(follow(i, opened, events) for i in range(N)))
    print(f"{len(opened)} of {N} followers opened; {events[0]} events read")
asyncio.run(main())
