"""P7's baseline: single-row INSERT transactions per second with plain asyncpg.

    python bench/insert_baseline.py <postgres url> <template application id> <clients> <seconds>

Copies the row of an application the API created (same table, same indexes, same width) with
a new id and no dossier number, one INSERT per transaction (autocommit), from `clients`
concurrent connections for `seconds`. Prints one JSON line. run.py starts it pinned to the
load generator's core, like wrk.
"""

import asyncio
import json
import sys
import time
import uuid

import asyncpg


async def main(url: str, template_id: str, clients: int, seconds: float) -> None:
    setup = await asyncpg.connect(url)
    template = await setup.fetchrow("SELECT * FROM applications WHERE id = $1",
                                    uuid.UUID(template_id))
    await setup.close()
    columns = list(template.keys())
    sql = (f"INSERT INTO applications ({', '.join(columns)}) "
           f"VALUES ({', '.join(f'${n}' for n in range(1, len(columns) + 1))})")
    base = dict(template)
    base["dossier_number"] = None  # unique column
    pool = await asyncpg.create_pool(url, min_size=clients, max_size=clients)
    deadline = time.perf_counter() + seconds
    counts = [0] * clients

    async def client(n: int) -> None:
        async with pool.acquire() as conn:
            statement = await conn.prepare(sql)
            while time.perf_counter() < deadline:
                row = {**base, "id": uuid.uuid4()}
                await statement.fetch(*(row[c] for c in columns))
                counts[n] += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    await pool.close()
    print(json.dumps({"inserts": sum(counts), "seconds": elapsed, "clients": clients}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
