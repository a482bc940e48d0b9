"""Field-by-field comparison of two normalised results, and a readable failure report."""
import pprint

# A notification's zxid is -1 from ZooKeeper 3.8 and the txn zxid from 3.9: compare it only
# when both servers sent one.
UNSET_IF = {"zxid": -1}


def differences(a, b, where="", in_event=False):
    """Yield (location, value_a, value_b) for every differing leaf."""
    if isinstance(a, dict) and isinstance(b, dict):
        is_event = in_event or ("type" in a and "state" in a and "path" in a)
        for key in list(a) + [k for k in b if k not in a]:
            loc = f"{where}.{key}" if where else str(key)
            if key not in a or key not in b:
                yield loc, a.get(key, "<absent>"), b.get(key, "<absent>")
                continue
            if is_event and key in UNSET_IF and UNSET_IF[key] in (a[key], b[key]):
                continue
            yield from differences(a[key], b[key], loc, is_event)
        return
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            yield f"{where} (length {len(a)} vs {len(b)})", a, b
            return
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{where}[{i}]", in_event)
        return
    if a != b or type(a) is not type(b):
        yield where, a, b


def report(seed, step, op, name_a, result_a, name_b, result_b, diffs, history):
    lines = [
        f"differential mismatch: seed={seed} step={step}",
        f"operation: {op!r}",
        "differences:",
    ]
    for loc, x, y in diffs[:20]:
        lines.append(f"  {loc}: {name_a}={x!r}  {name_b}={y!r}")
    if len(diffs) > 20:
        lines.append(f"  ... {len(diffs) - 20} more")
    lines.append(f"--- {name_a} result:")
    lines.append(pprint.pformat(result_a, width=120))
    lines.append(f"--- {name_b} result:")
    lines.append(pprint.pformat(result_b, width=120))
    if history:
        lines.append("--- preceding operations:")
        lines.extend(f"  {s}: {o!r}" for s, o in history)
    return "\n".join(lines)
