"""Four-letter words: the text layouts that monitoring tools parse (line keys and shapes, not values that differ
between implementations), and the whitelist."""
import re

import pytest

import harness
import rawzk
from conftest import start_server


def flw(server, word):
    return harness.four_letter_word(server.port, word)


@pytest.fixture(scope="module")
def whitelisted_server():
    srv = start_server({"4lw.commands.whitelist": "srvr,ruok"})
    yield srv
    srv.stop()


@pytest.fixture
def busy(clients, zpath):
    """A session with an ephemeral node and watches, so the per-session words have something to show."""
    c = clients.raw()
    c.create(zpath + "/e", b"abc", flags=rawzk.EPHEMERAL)
    c.get_data(zpath + "/e", watch=True)
    c.exists(zpath + "/missing", watch=True)
    c.get_children(zpath, watch=True)
    return c, zpath


SRVR_KEYS = ["Zookeeper version", "Latency min/avg/max", "Received", "Sent", "Connections", "Outstanding", "Zxid",
             "Mode", "Node count"]


def parse_colon_lines(lines):
    out = {}
    for line in lines:
        key, sep, value = line.partition(": ")
        assert sep, f"not a 'key: value' line: {line!r}"
        out[key] = value
    return out


def check_stats_block(fields, last_zxid):
    assert re.fullmatch(r"\d+/\d+(\.\d+)?/\d+", fields["Latency min/avg/max"])
    for key in ("Received", "Sent", "Connections", "Outstanding", "Node count"):
        assert re.fullmatch(r"\d+", fields[key]), key
    assert int(fields["Connections"]) >= 2            # our session plus this very 4lw connection
    assert re.fullmatch(r"0x[0-9a-f]+", fields["Zxid"])
    assert int(fields["Zxid"], 16) >= last_zxid
    assert fields["Mode"] == "standalone"


def test_ruok(server):
    assert flw(server, "ruok") == "imok"


def test_srvr(server, busy):
    c, _ = busy
    text = flw(server, "srvr")
    assert text.endswith("\n")
    lines = text.splitlines()
    assert [line.split(":")[0] for line in lines] == [k.split(":")[0] for k in SRVR_KEYS]
    fields = parse_colon_lines(lines)
    assert fields["Zookeeper version"].startswith("3.")
    check_stats_block(fields, c.last_zxid)


def test_node_count_follows_the_tree(server, clients, zpath):
    def count():
        return int(parse_colon_lines(flw(server, "srvr").splitlines())["Node count"])
    before = count()
    c = clients.raw()
    c.create(zpath + "/one")
    c.create(zpath + "/two")
    assert count() == before + 2
    c.delete(zpath + "/one")
    assert count() == before + 1


def test_stat(server, busy):
    c, _ = busy
    lines = flw(server, "stat").splitlines()
    assert lines[0].startswith("Zookeeper version: ")
    assert lines[1] == "Clients:"
    blank = lines.index("")
    client_lines = lines[2:blank]
    assert len(client_lines) >= 2
    for line in client_lines:
        assert re.fullmatch(r" /127\.0\.0\.1:\d+\[\d+\]\(queued=\d+,recved=\d+,sent=\d+\)", line), line
    fields = parse_colon_lines(lines[blank + 1:])
    assert list(fields) == SRVR_KEYS[1:]
    check_stats_block(fields, c.last_zxid)


MNTR_REQUIRED = ["zk_version", "zk_avg_latency", "zk_max_latency", "zk_min_latency", "zk_packets_received",
                 "zk_packets_sent", "zk_num_alive_connections", "zk_outstanding_requests", "zk_server_state",
                 "zk_znode_count", "zk_watch_count", "zk_ephemerals_count", "zk_approximate_data_size",
                 "zk_open_file_descriptor_count", "zk_max_file_descriptor_count"]


def test_mntr(server, busy):
    text = flw(server, "mntr")
    assert text.endswith("\n")
    lines = text.splitlines()
    assert lines[0].startswith("zk_version\t")
    pairs = [line.split("\t") for line in lines]
    # Keys are zk_-prefixed (per-namespace metrics embed top-level znode names, so allow any non-space).
    assert all(len(p) == 2 and re.fullmatch(r"zk_\S+", p[0]) for p in pairs), lines
    values = dict(pairs)
    assert set(MNTR_REQUIRED) <= set(values)
    assert values["zk_server_state"] == "standalone"
    for key in MNTR_REQUIRED[1:]:
        if key != "zk_server_state":
            assert re.fullmatch(r"\d+(\.\d+)?", values[key]), (key, values[key])
    assert int(values["zk_ephemerals_count"]) >= 1
    assert int(values["zk_watch_count"]) >= 2
    assert int(values["zk_num_alive_connections"]) >= 2


def test_conf(server):
    lines = flw(server, "conf").splitlines()
    values = dict(line.split("=", 1) for line in lines)
    assert values["clientPort"] == str(server.port)
    assert values["tickTime"] == "2000"
    assert values["maxClientCnxns"] == "60"
    assert values["minSessionTimeout"] == "4000"
    assert values["maxSessionTimeout"] == "40000"
    assert values["serverId"] == "0"
    for key in ("dataDir", "dataLogDir"):
        assert values[key].startswith(server.workdir) and values[key].endswith("version-2")


def test_cons(server, busy):
    c, _ = busy
    text = flw(server, "cons")
    assert text.endswith("\n\n")
    lines = text.splitlines()[:-1]
    assert all(line.startswith(" /127.0.0.1:") for line in lines), lines
    ours = [line for line in lines if f"sid=0x{c.session_id:x}," in line]
    assert len(ours) == 1
    keys = re.findall(r"[(,]([a-z]+)=", ours[0])
    assert keys == ["queued", "recved", "sent", "sid", "lop", "est", "to", "lcxid", "lzxid", "lresp", "llat",
                    "minlat", "avglat", "maxlat"]
    assert re.fullmatch(r" /127\.0\.0\.1:\d+\[\d+\]\(.*\)", ours[0])


def test_cons_counts_no_request_queued_after_an_auth_packet(server, clients, zpath):
    """An auth packet is answered at once and is not a request awaiting a reply: once every reply is in, the
    session shows queued=0, and its latencies are timed from the right arrivals."""
    c = clients.raw()
    assert c.add_auth("digest", b"reader:secret").err == 0
    c.create(zpath + "/n", b"x")
    c.get_data(zpath + "/n")
    ours = [line for line in flw(server, "cons").splitlines() if f"sid=0x{c.session_id:x}," in line]
    assert len(ours) == 1
    assert "(queued=0," in ours[0], ours[0]


def test_envi(server):
    lines = flw(server, "envi").splitlines()
    assert lines[0] == "Environment:"
    values = dict(line.split("=", 1) for line in lines[1:])
    for key in ("zookeeper.version", "host.name", "os.name", "os.arch", "os.version", "user.name", "user.home",
                "user.dir"):
        assert key in values, key


def test_watch_words(server, busy):
    c, zpath = busy
    sid = f"0x{c.session_id:x}"
    assert re.fullmatch(r"\d+ connections watching \d+ paths\nTotal watches:\d+\n", flw(server, "wchs"))
    # wchc: session id, then its watched paths indented by a tab; a blank line ends the report.
    wchc = flw(server, "wchc")
    assert wchc.endswith("\n\n")
    block = wchc.split(sid + "\n", 1)[1].split("\n\n")[0].split("\n")
    assert {zpath + "/e", zpath + "/missing"} <= {p[1:] for p in block if p.startswith("\t")}
    # wchp: path, then the sessions watching it indented by a tab.
    wchp = flw(server, "wchp")
    assert wchp.endswith("\n\n")
    assert f"{zpath}/e\n\t{sid}\n" in wchp
    assert f"{zpath}/missing\n\t{sid}\n" in wchp


def test_dump(server, busy):
    c, zpath = busy
    text = flw(server, "dump")
    assert text.startswith("SessionTracker dump:\n")
    assert "ephemeral nodes dump:\n" in text
    assert re.search(r"^Sessions with Ephemerals \(\d+\):$", text, re.M)
    assert f"0x{c.session_id:x}:\n\t{zpath}/e\n" in text


def test_dirs(server):
    assert re.fullmatch(r"datadir_size: \d+\nlogdir_size: \d+\n", flw(server, "dirs"))


def test_isro(server):
    assert flw(server, "isro") == "rw"


def test_resets(server, clients):
    clients.raw().exists("/")
    assert flw(server, "crst") == "Connection stats reset.\n"
    assert flw(server, "srst") == "Server stats reset.\n"
    fields = parse_colon_lines(flw(server, "srvr").splitlines())
    assert fields["Latency min/avg/max"] == "0/0.0/0"


def test_unknown_word_closes_silently(server):
    assert flw(server, "abcd") == ""


def test_whitelist(whitelisted_server):
    assert flw(whitelisted_server, "ruok") == "imok"
    assert flw(whitelisted_server, "srvr").startswith("Zookeeper version: ")
    for word in ("stat", "mntr", "conf", "cons", "wchs", "dump", "envi"):
        assert flw(whitelisted_server, word) == f"{word} is not executed because it is not in the whitelist.\n"
    assert flw(whitelisted_server, "abcd") == ""
