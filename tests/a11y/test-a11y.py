#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cria as a screen-reader user meets it: only through the AT-SPI tree.

Starts ollama-stub.py (an independent Ollama stand-in) and Cria, finds Cria on
the accessibility bus, checks the names of its controls, then chats with it
using synthesized key presses and the controls' Action interfaces, reading
the reply back through the Text interface. Prints TAP.

Environment:
  CRIA_BINARY           the cria executable (default: _build/src/cria)
  GSETTINGS_SCHEMA_DIR  compiled schemas (default: <build>/data)
  CRIA_A11Y_ARTIFACTS   where the screenshot and logs go (default: <build>)
  CRIA_A11Y_USE_DISPLAY set to 1 to run on the current $DISPLAY and D-Bus
                        session; otherwise the test re-runs itself on its own
                        Xvfb and dbus-run-session, so synthesized key presses
                        never reach a real desktop.

GTK 4.8 specifics this test relies on (checked on Debian 12):
  - a widget without an accessible name reports its GType name ("GtkButton",
    "GtkToggleButton", "GtkImage" for icon buttons), so such names count as
    missing;
  - hidden widgets are left out of the tree, but the pages of a GtkStack that
    are not on screen stay in it; STATE_SHOWING is only set on windows, so
    "on screen" is judged from the extents;
  - Text.GetText(0, -1) returns "" for labels: always pass the character count;
  - Component.GrabFocus is not implemented: focus moves with Tab, as a
    keyboard user would do it.
"""

import ctypes
import ctypes.util
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SYSTEM_PYTHON = "/usr/bin/python3"

# python3-gi lives in the system Python; a pyenv or venv python3 first on
# PATH does not see it, so fall back to the system one.
try:
    import gi
except ImportError:
    if os.path.exists(SYSTEM_PYTHON) and os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON):
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON] + sys.argv)
    print("1..1\nnot ok 1 - python3-gi is importable\n# apt install python3-gi gir1.2-atspi-2.0")
    sys.exit(1)


def start_reporting(argv, what, env=None):
    """Start a server that writes one line (its display or address) to a
    given fd when it is ready; the process and that line, or None."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen([a.replace("@FD@", str(write_fd)) for a in argv], pass_fds=(write_fd,), env=env,
                            stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr)
    os.close(write_fd)
    line = b""
    deadline = time.monotonic() + 20
    while not line.endswith(b"\n") and time.monotonic() < deadline:
        if select.select([read_fd], [], [], 0.5)[0]:
            chunk = os.read(read_fd, 256)
            if not chunk:
                break
            line += chunk
    os.close(read_fd)
    line = line.decode().strip()
    if not line:
        print("# %s did not start" % what, file=sys.stderr)
    return proc, line or None


def run_isolated():
    """Run this script again with a private Xvfb and D-Bus session bus (and
    so a private AT-SPI bus); return its exit status. Xvfb picks a free
    display itself (-displayfd), so back-to-back runs never collide. The
    servers' output goes to stderr, so stdout carries TAP only."""
    xvfb, dbus = shutil.which("Xvfb"), shutil.which("dbus-daemon")
    if not xvfb or not dbus:
        print("1..1\nnot ok 1 - a private X server and D-Bus session\n"
              "# missing: %s (apt install xvfb dbus)" % ("Xvfb" if not xvfb else "dbus-daemon"))
        return 1

    def terminate(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, terminate)
    procs = []
    try:
        server, display = start_reporting(
            [xvfb, "-displayfd", "@FD@", "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"], "Xvfb")
        procs.append(server)
        if not display:
            print("1..1\nnot ok 1 - a private X server")
            return 1
        env = dict(os.environ, CRIA_A11Y_ISOLATED="1", DISPLAY=":" + display)
        for var in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "AT_SPI_BUS_ADDRESS", "XAUTHORITY"):
            env.pop(var, None)
        # The bus gets DISPLAY too: the AT-SPI registry it activates is what
        # synthesizes key presses on that display.
        bus, address = start_reporting(
            [dbus, "--session", "--nofork", "--nopidfile", "--print-address=@FD@"], "dbus-daemon", env)
        procs.append(bus)
        if not address:
            print("1..1\nnot ok 1 - a private D-Bus session")
            return 1
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        child = subprocess.Popen([sys.executable] + sys.argv, env=env)
        procs.append(child)
        return child.wait()
    finally:
        for proc in reversed(procs):  # the test, the bus, then the X server
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


if not os.environ.get("CRIA_A11Y_USE_DISPLAY") and not os.environ.get("CRIA_A11Y_ISOLATED"):
    sys.exit(run_isolated())

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

# libatspi 2.46 marks get_text_iface() and friends deprecated in favour of
# names PyGObject does not expose the same way; the calls work everywhere.
warnings.simplefilter("ignore", DeprecationWarning)

OVERALL_TIMEOUT = 120
STUB_MODELS = ("tinyllama:latest", "qwen3:0.6b")

KEY_RETURN = 0xFF0D
KEY_TAB = 0xFF09
KEY_SHIFT_L = 0xFFE1
KEY_DOWN = 0xFF54
KEY_ESCAPE = 0xFF1B

# Roles a user operates. A text view counts whether editable or not: a
# read-only one still takes the focus and is read out by its name.
INTERACTIVE_ROLES = {
    Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON, Atspi.Role.CHECK_BOX,
    Atspi.Role.RADIO_BUTTON, Atspi.Role.COMBO_BOX, Atspi.Role.ENTRY,
    Atspi.Role.PASSWORD_TEXT, Atspi.Role.TEXT, Atspi.Role.SPIN_BUTTON,
    Atspi.Role.SLIDER, Atspi.Role.LINK, Atspi.Role.MENU_ITEM,
    Atspi.Role.CHECK_MENU_ITEM, Atspi.Role.RADIO_MENU_ITEM, Atspi.Role.MENU,
    Atspi.Role.PAGE_TAB,
}
# Containers that take the focus themselves need a name too.
FOCUSABLE_CONTAINER_ROLES = {
    Atspi.Role.LIST, Atspi.Role.LIST_BOX, Atspi.Role.TREE, Atspi.Role.TABLE,
    Atspi.Role.TREE_TABLE,
}
GTYPE_NAME = re.compile(r"(Gtk|Adw|Gsv|GtkSource|Gdk|Cria)[A-Z][A-Za-z0-9]*")
MNEMONIC = re.compile(r"(^|\s)_\w")
DOUBLED = re.compile(r"(.+) \1")


class Timeout(Exception):
    pass


# --------------------------------------------------------------------------
# TAP


class Tap:
    def __init__(self, plan):
        self.plan = plan
        self.n = 0
        self.failed = 0
        print("1..%d" % plan, flush=True)

    def result(self, ok, name, diag=()):
        assert self.n < self.plan, "more results than planned"
        self.n += 1
        if not ok:
            self.failed += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, name), flush=True)
        for line in diag:
            if line:
                self.note(line)
        return ok

    def note(self, text):
        for line in str(text).splitlines() or [""]:
            print("# " + line, flush=True)

    def bail(self, reason):
        while self.n < self.plan:
            self.result(False, "not run: " + reason)


def wait_for(predicate, timeout, interval=0.05):
    """Poll `predicate` until it returns a true value or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except GLib.Error:
            value = None  # the object went away between two calls: poll again
        if value:
            return value
        if time.monotonic() >= deadline:
            return value
        time.sleep(interval)


# --------------------------------------------------------------------------
# The accessibility tree


def children(obj):
    try:
        count = obj.get_child_count()
    except GLib.Error:
        return
    for i in range(count):
        try:
            child = obj.get_child_at_index(i)
        except GLib.Error:
            continue
        if child is not None:
            yield child


def walk(obj):
    yield obj
    for child in children(obj):
        yield from walk(child)


def states(obj):
    if obj is None:
        return Atspi.StateSet.new([])
    try:
        return obj.get_state_set()
    except GLib.Error:
        return Atspi.StateSet.new([])


def has(obj, state):
    return states(obj).contains(state)


def name_of(obj):
    try:
        return obj.get_name() or ""
    except GLib.Error:
        return ""


def role_of(obj):
    try:
        return obj.get_role()
    except GLib.Error:
        return Atspi.Role.INVALID


def text_of(obj):
    """The whole text of an object with a Text interface, else ""."""
    if obj is None:
        return ""
    try:
        iface = obj.get_text_iface()
        if iface is None:
            return ""
        return iface.get_text(0, iface.get_character_count()) or ""
    except GLib.Error:
        return ""


def extents(obj):
    try:
        comp = obj.get_component_iface()
        if comp is None:
            return None
        e = comp.get_extents(Atspi.CoordType.WINDOW)
        return (e.x, e.y, e.width, e.height)
    except GLib.Error:
        return None


def on_screen(obj):
    e = extents(obj)
    return bool(e and e[2] > 0 and e[3] > 0)


def missing_name(name):
    name = name.strip()
    return not name or bool(GTYPE_NAME.fullmatch(name))


def path_of(obj):
    """The named ancestors of obj, outermost first."""
    path = []
    node = obj
    for _ in range(40):
        try:
            node = node.get_parent()
        except GLib.Error:
            break
        if node is None or role_of(node) == Atspi.Role.APPLICATION:
            break
        if name_of(node):
            path.append("%s %r" % (node.get_role_name(), name_of(node)))
    return " > ".join(reversed(path)) or "-"


def describe(obj):
    """One line a developer can find the widget from. ("On screen" comes
    from the extents, which GTK 4.8 leaves stale on a stack page that was
    shown before.)"""
    try:
        desc = obj.get_description() or ""
    except GLib.Error:
        desc = ""
    inner = [text_of(o) for o in walk(obj) if o is not obj and role_of(o) == Atspi.Role.LABEL]
    inner = [t for t in inner if t]
    return "%s %r%s%s%s, %s, in: %s" % (
        obj.get_role_name(), name_of(obj),
        ", description %r" % desc if desc else "",
        ", labels inside %r" % inner[:3] if inner else "",
        "" if has(obj, Atspi.StateType.SENSITIVE) else ", insensitive",
        "on screen" if on_screen(obj) else "not on screen (inactive page?)",
        path_of(obj))


def find_all(root, role=None, name=None, pred=None):
    found = []
    for obj in walk(root):
        if role is not None and role_of(obj) not in (role if isinstance(role, tuple) else (role,)):
            continue
        if name is not None and name_of(obj) != name:
            continue
        if pred is not None and not pred(obj):
            continue
        found.append(obj)
    return found


def find_one(root, role=None, name=None, pred=None):
    found = find_all(root, role, name, pred)
    return found[0] if found else None


def tree_dump(root, limit=400):
    lines = []

    def rec(obj, depth):
        if len(lines) >= limit:
            return
        nicks = [s.value_nick for s in states(obj).get_states()
                 if s not in (Atspi.StateType.VISIBLE, Atspi.StateType.SENSITIVE)]
        text = text_of(obj) if role_of(obj) in (Atspi.Role.LABEL, Atspi.Role.TEXT) else ""
        lines.append("%s%s %r %s%s" % ("  " * depth, obj.get_role_name(), name_of(obj), ",".join(nicks),
                                       " text=%r" % text[:60] if text else ""))
        for child in children(obj):
            rec(child, depth + 1)
    rec(root, 0)
    return lines


# --------------------------------------------------------------------------
# Keyboard, as a user types


class Keyboard:
    def __init__(self):
        self.shift_code = self._keycode(KEY_SHIFT_L) or 50

    @staticmethod
    def _keycode(keysym):
        """The X keycode of a keysym (Atspi can only press modifiers by code)."""
        try:
            xlib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
            xlib.XOpenDisplay.restype = ctypes.c_void_p
            xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
            xlib.XKeysymToKeycode.restype = ctypes.c_ubyte
            xlib.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
            xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
            dpy = xlib.XOpenDisplay(None)
            if not dpy:
                return 0
            code = xlib.XKeysymToKeycode(dpy, keysym)
            xlib.XCloseDisplay(dpy)
            return code
        except OSError:
            return 0

    def type(self, text):
        Atspi.generate_keyboard_event(0, text, Atspi.KeySynthType.STRING)

    def key(self, keysym):
        Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)

    def shift_key(self, keysym):
        Atspi.generate_keyboard_event(self.shift_code, None, Atspi.KeySynthType.PRESS)
        try:
            Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)
        finally:
            Atspi.generate_keyboard_event(self.shift_code, None, Atspi.KeySynthType.RELEASE)


# --------------------------------------------------------------------------
# The processes


class Stub:
    def __init__(self, workdir, artifacts):
        self.state_path = os.path.join(workdir, "stub-state.json")
        self.log = open(os.path.join(artifacts, "a11y-stub.log"), "w")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "ollama-stub.py"), "--port", "0",
             "--state", self.state_path, "--delay-ms", "20", "--verbose"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline().strip()
        m = re.fullmatch(r"listening on (http://\S+)", line)
        if not m:
            raise RuntimeError("the stub did not start: %r" % line)
        self.url = m.group(1)

    def post(self, path, obj):
        req = urllib.request.Request(self.url + path, data=json.dumps(obj).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=5) as r:
            return json.loads(r.read())

    def pace(self, delay_ms, tokens):
        self.post("/stub/config", {"delay_ms": delay_ms, "tokens": tokens})

    def state(self):
        try:
            with open(self.state_path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {"requests": [], "chats": [], "cancelled": 0, "completed": 0}

    def chats(self):
        return self.state()["chats"]


def stop_process(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def tail(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()[-n:]
    except OSError:
        return []


# --------------------------------------------------------------------------
# The test


def norm(text):
    return " ".join(text.split())


def user_text(chat):
    users = [m for m in chat.get("messages", []) if m.get("role") == "user"]
    return users[-1].get("content", "") if users else ""


class Test:
    PLAN = 26

    def __init__(self):
        self.tap = Tap(self.PLAN)
        binary = os.environ.get("CRIA_BINARY") or os.path.join(ROOT, "_build", "src", "cria")
        self.binary = os.path.abspath(binary)
        self.build = os.path.dirname(os.path.dirname(self.binary))
        self.artifacts = os.environ.get("CRIA_A11Y_ARTIFACTS") or self.build
        os.makedirs(self.artifacts, exist_ok=True)
        self.schemas = os.environ.get("GSETTINGS_SCHEMA_DIR") or os.path.join(self.build, "data")
        self.workdir = tempfile.mkdtemp(prefix="cria-a11y-")
        self.cria_log_path = os.path.join(self.artifacts, "a11y-cria.log")
        self.stub = None
        self.cria = None
        self.app = None
        self.keyboard = None
        self.chosen = None
        self.reported = set()

    # -- set-up -------------------------------------------------------------

    def start_cria(self):
        env = dict(os.environ)
        for var in ("GTK_A11Y", "NO_AT_BRIDGE", "WAYLAND_DISPLAY", "GTK_DEBUG", "G_DEBUG",
                    "LANGUAGE", "GTK_THEME", "CRIA_A11Y_ISOLATED"):
            env.pop(var, None)
        env.update({
            "OLLAMA_HOST": self.stub.url,
            "GSETTINGS_BACKEND": "memory",
            "GSETTINGS_SCHEMA_DIR": self.schemas,
            "GSK_RENDERER": "cairo",
            "GDK_BACKEND": "x11",
            "GIO_USE_VFS": "local",
            "LC_ALL": "C.UTF-8",
            # A fresh profile: no history from an earlier run.
            "XDG_CONFIG_HOME": os.path.join(self.workdir, "config"),
            "XDG_DATA_HOME": os.path.join(self.workdir, "data"),
            "XDG_CACHE_HOME": os.path.join(self.workdir, "cache"),
            "XDG_STATE_HOME": os.path.join(self.workdir, "state"),
        })
        self.cria_log = open(self.cria_log_path, "w")
        self.cria = subprocess.Popen([self.binary], env=env, stdout=self.cria_log,
                                     stderr=subprocess.STDOUT, cwd=self.workdir)

    def find_app(self):
        desktop = Atspi.get_desktop(0)
        for app in children(desktop):
            try:
                pid = app.get_process_id()
            except GLib.Error:
                continue
            if pid == self.cria.pid:
                return app
        return None

    def frame(self):
        return find_one(self.app, Atspi.Role.FRAME, pred=lambda o: has(o, Atspi.StateType.SHOWING)) \
            or find_one(self.app, Atspi.Role.FRAME)

    # -- helpers on Cria's controls -------------------------------------------

    def composer(self):
        return find_one(self.app, (Atspi.Role.TEXT, Atspi.Role.ENTRY), "Message",
                        pred=lambda o: has(o, Atspi.StateType.EDITABLE))

    def button(self, name):
        return find_one(self.app, Atspi.Role.PUSH_BUTTON, name)

    def replies(self):
        return find_all(self.app, Atspi.Role.TEXT, "Reply")

    def reply_text_for(self, prompt_start):
        """Text of the reply view whose text begins like the stub's answer."""
        best = ""
        for view in self.replies():
            text = norm(text_of(view))
            if text.startswith(norm("You said: " + prompt_start)[: len(text)]) and len(text) > len(best):
                best = text
        return best

    def focus_composer(self):
        """Focus "Message" like a user: Component.grab_focus, else Tab."""
        entry = self.composer()
        if entry is None:
            return None, "no composer"
        if has(entry, Atspi.StateType.FOCUSED):
            return entry, "already focused"
        try:
            comp = entry.get_component_iface()
            if comp and comp.grab_focus() and wait_for(lambda: has(entry, Atspi.StateType.FOCUSED), 2):
                return entry, "Component.grab_focus"
        except GLib.Error:
            pass  # GTK 4.8 does not implement GrabFocus
        for presses in range(1, 40):
            self.keyboard.key(KEY_TAB)
            if wait_for(lambda: has(self.composer(), Atspi.StateType.FOCUSED), 0.5):
                return self.composer(), "%d Tab presses" % presses
        return None, "Tab never reached it"

    def wait_chats(self, count, timeout):
        return wait_for(lambda: len(self.stub.chats()) >= count, timeout, 0.05)

    def chat_for(self, prompt):
        """The request that sent `prompt` as the last user message, or {}.
        Cria also asks the model for a chat title on its own, after the
        first reply: that request is not one the user sent."""
        found = [c for c in self.stub.chats() if user_text(c) == prompt]
        return found[-1] if found else {}

    def wait_chat_for(self, prompt, timeout):
        return wait_for(lambda: self.chat_for(prompt) or None, timeout, 0.05)

    # -- the checks -----------------------------------------------------------

    def run(self):
        tap = self.tap
        try:
            self.stub = Stub(self.workdir, self.artifacts)
        except Exception as e:  # noqa: BLE001
            tap.result(False, "the Ollama stub starts", [str(e)])
            tap.bail("no stub")
            return
        version = self.stub.get("/api/version")
        tap.result(bool(version.get("version")), "the Ollama stub answers at %s" % self.stub.url)

        if not os.access(self.binary, os.X_OK):
            tap.result(False, "Cria is built", ["not found or not executable: %s" % self.binary])
            tap.bail("no Cria binary")
            return
        Atspi.init()
        self.keyboard = Keyboard()
        self.start_cria()

        # 2. Cria appears on the accessibility bus with a window.
        self.app = wait_for(lambda: self.find_app() if self.cria.poll() is None else None, 30, 0.1)
        frame = wait_for(lambda: self.app and self.frame(), 15, 0.1) if self.app else None
        if not tap.result(bool(frame), "Cria appears in the AT-SPI desktop with a window",
                          ["application %r (pid %d), window %r"
                           % (name_of(self.app) if self.app else None, self.cria.pid,
                              name_of(frame) if frame else None),
                           "cria exited with %s" % self.cria.poll() if self.cria.poll() is not None else ""]
                          + ([] if frame else tail(self.cria_log_path))):
            tap.bail("Cria not on the accessibility bus")
            return

        # 3. The composer.
        entry = wait_for(self.composer, 20, 0.1)
        texts = [] if entry else [describe(o) for o in find_all(self.app, (Atspi.Role.TEXT, Atspi.Role.ENTRY))]
        tap.result(entry is not None, 'an editable text named "Message" (the composer)',
                   [] if entry else ["texts: %s" % texts] + tree_dump(self.app))

        # 4. Send.
        send = wait_for(lambda: self.button("Send"), 5, 0.1)
        tap.result(send is not None, 'a push button named "Send"',
                   [] if send else ["buttons: %s" % [name_of(b) for b in find_all(self.app, Atspi.Role.PUSH_BUTTON)]])

        # 5. The model selector, showing a model the stub serves.
        def model_shown():
            combo = find_one(self.app, name="Model")
            if combo is None:
                return None
            texts = [text_of(o) for o in walk(combo) if role_of(o) == Atspi.Role.LABEL and on_screen(o)]
            texts.append(name_of(combo))
            for t in texts:
                for m in STUB_MODELS:
                    if m in t or m.split(":")[0] == t.strip() or (m.endswith(":latest") and m[:-7] == t.strip()):
                        return combo, t
            return None
        shown = wait_for(model_shown, 20, 0.1)
        combo = find_one(self.app, name="Model")
        tap.result(bool(shown), 'a control named "Model" shows a model from the server',
                   ["%s shows %r" % (combo.get_role_name(), shown[1])] if shown else
                   ["Model control: %s" % (describe(combo) if combo else "none"),
                    "labels in it: %r" % ([text_of(o) for o in walk(combo) if role_of(o) == Atspi.Role.LABEL]
                                          if combo else [])])

        # 6/7. Every control has a (clean) name, the open Model list included.
        popup = self.open_model_list()
        self.check_names(popup)

        # 8. Choose the other model from the list with the keyboard.
        self.chosen = self.choose_model(popup)

        # 9. Keyboard focus into the composer.
        focused, how = self.focus_composer()
        tap.result(focused is not None, 'the keyboard focus reaches "Message"', ["via %s" % how])
        if focused is None:
            tap.bail("cannot type")
            return

        # 10. Shift+Enter adds a newline, sends nothing.
        self.stub.pace(delay_ms=100, tokens=24)  # 2.4 s: long enough to watch it stream
        self.keyboard.type("part one")
        wait_for(lambda: text_of(self.composer()) == "part one", 3)
        self.keyboard.shift_key(KEY_RETURN)
        self.keyboard.type("part two")
        typed = wait_for(lambda: text_of(self.composer()) == "part one\npart two", 5)
        time.sleep(0.3)  # a wrongly sent message needs a moment to reach the stub
        sent_early = len(self.stub.chats())
        tap.result(bool(typed) and sent_early == 0, "Shift+Enter adds a newline in the composer and sends nothing",
                   ["composer text: %r" % text_of(self.composer()), "chat requests so far: %d" % sent_early])

        # 11. Enter sends.
        self.keyboard.key(KEY_RETURN)
        got = self.wait_chats(1, 10)
        chats = self.stub.chats()
        first = chats[0] if chats else {}
        want_model = self.chosen or first.get("model")
        tap.result(bool(got) and len(chats) == 1 and user_text(first) == "part one\npart two"
                   and first.get("model") in STUB_MODELS and first.get("model") == want_model,
                   "Enter sends one chat request, to the chosen model, with the newline kept",
                   ["requests: %d, model %r (chosen: %r), last user message %r"
                    % (len(chats), first.get("model"), self.chosen, user_text(first))])

        # 12. The composer empties after sending.
        emptied = wait_for(lambda: text_of(self.composer()) == "", 5)
        tap.result(bool(emptied), "the composer is empty after sending",
                   ["composer text: %r" % text_of(self.composer())])

        # 13. The reply streams in and is readable through the Text interface.
        # Like a screen reader, follow the one "Reply" object once found:
        # walking the whole tree takes a fifth of a second, as long as
        # several tokens, and a loaded machine could miss the stream.
        expected = norm(first.get("reply", ""))
        seen = []
        followed = []

        def reply_text():
            if followed:
                text = norm(text_of(followed[0]))
                if text:
                    return text
                followed.clear()
            for view in self.replies():
                text = norm(text_of(view))
                if text and text.startswith(norm("You said: part one part two")[: len(text)]):
                    followed.append(view)
                    return text
            return ""

        def watch():
            text = reply_text()
            if text and (not seen or seen[-1] != text):
                seen.append(text)
            return text == expected and expected
        done = wait_for(watch, 30, 0.02)
        partial = [t for t in seen if 0 < len(t) < len(expected)]
        tap.result(bool(done) and len(partial) >= 1,
                   'the reply streams into a text named "Reply"',
                   ["expected %r" % expected, "intermediate states seen: %d" % len(partial),
                    "last text: %r" % (seen[-1] if seen else "")]
                   + ([] if done else ["Reply views: %s" % [describe(o) for o in self.replies()]]))

        # 14. The question stays visible in the conversation.
        question = find_one(self.app, pred=lambda o: role_of(o) in (Atspi.Role.LABEL, Atspi.Role.TEXT)
                            and name_of(o) != "Message" and "part one" in text_of(o)
                            and "You said" not in text_of(o))
        tap.result(question is not None, "the sent message is shown in the conversation",
                   ["%s %r" % (question.get_role_name(), text_of(question))] if question else [])

        # 15. Idle again: Send back once the reply is complete.
        idle = wait_for(lambda: self.button("Send") and not self.button("Stop"), 10, 0.05)
        tap.result(bool(idle), 'after the reply, "Send" is back and "Stop" is gone',
                   ["Send: %s, Stop: %s" % (bool(self.button("Send")), bool(self.button("Stop")))])

        # 16-19. A long reply, stopped.
        if not self.check_stop():
            return

        # 20. Names of what the conversation added.
        self.check_names_again()

        # 21. The sidebar of chats.
        self.check_sidebar()

        # 22. A reply with a code block, and its Copy Code button.
        self.check_code_block()

        # 23. What each message offers.
        self.check_message_actions()

        # 24. Attaching an image.
        attach = self.button("Attach Image")
        self.tap.result(attach is not None and bool(self.actions_of(attach)),
                        'the composer offers a push button "Attach Image"',
                        ["Attach Image: %s" % (describe(attach) if attach else "absent"),
                         "buttons: %s" % sorted({name_of(b) for b in find_all(self.app, Atspi.Role.PUSH_BUTTON)})])

        # 25. Chat Settings, from the main menu.
        self.check_chat_settings()

        # 26. Search.
        self.check_search()

    def check_sidebar(self):
        """The sidebar's controls by name, and the chats in a list named "Chats"."""
        buttons = (Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON)

        def chats_list():
            found = find_one(self.app, Atspi.Role.LIST, "Chats")
            if found is None:
                found = find_one(self.app, name="Chats", pred=lambda o: find_one(o, Atspi.Role.LIST_ITEM))
            return found

        def listed():
            chats = chats_list()
            if chats is None:
                return None
            titles = [text_of(o) for o in walk(chats) if role_of(o) == Atspi.Role.LABEL]
            return chats if any(t.startswith("part one") for t in titles) else None

        chats = wait_for(listed, 5)
        missing = [name for name in ("New Chat", "Search Chats", "Show Chats")
                   if find_one(self.app, buttons, name) is None]
        menus = find_all(chats, buttons, "Chat Menu") if chats is not None else []
        self.tap.result(chats is not None and not missing and len(menus) >= 1,
                        'the sidebar offers "New Chat", "Search Chats" and "Show Chats", and lists the '
                        'chats in "Chats", each with a "Chat Menu"',
                        ["missing: %r" % missing, "chat menus: %d" % len(menus),
                         "Chats list: %s" % (describe(chats) if chats else "none"),
                         "buttons: %s" % sorted({name_of(b) for b in find_all(self.app, buttons)})])

    @staticmethod
    def actions_of(obj):
        """The names of obj's actions, [] when it has none."""
        try:
            action = obj.get_action_iface()
            return [action.get_action_name(i) for i in range(action.get_n_actions())] if action else []
        except GLib.Error:
            return []

    @staticmethod
    def press(obj):
        """Do obj's first action, as a screen reader does; whether it could."""
        try:
            return bool(obj.get_action_iface().do_action(0))
        except (GLib.Error, AttributeError):
            return False

    def send_prompt(self, prompt):
        """Type `prompt` in the composer and press Enter; the request sent."""
        self.focus_composer()
        self.keyboard.type(prompt)
        wait_for(lambda: text_of(self.composer()) == prompt, 3)
        self.keyboard.key(KEY_RETURN)
        return self.wait_chat_for(prompt, 10)

    def check_code_block(self):
        """A reply holding a fenced code block: the code readable in a text
        named "Code", with a push button "Copy Code" to press."""
        sent = self.send_prompt("show me some code")

        def ready():
            views = [v for v in find_all(self.app, Atspi.Role.TEXT, "Code") if 'print("hello")' in text_of(v)]
            copies = find_all(self.app, Atspi.Role.PUSH_BUTTON, "Copy Code")
            return (views, copies) if views and copies else None
        found = wait_for(ready, 15)
        views, copies = found or ([], find_all(self.app, Atspi.Role.PUSH_BUTTON, "Copy Code"))
        copy = copies[0] if copies else None
        usable = copy is not None and has(copy, Atspi.StateType.SENSITIVE) \
            and has(copy, Atspi.StateType.FOCUSABLE) and bool(self.actions_of(copy))
        self.tap.result(bool(sent) and bool(views) and usable,
                        'a reply\'s code block reads in a text named "Code", with a push button "Copy Code"',
                        ["request sent: %s" % bool(sent),
                         "Code views: %s" % [text_of(v) for v in find_all(self.app, Atspi.Role.TEXT, "Code")],
                         "Copy Code: %s, actions %r" % (describe(copy) if copy else "absent",
                                                        self.actions_of(copy) if copy else [])])

    def check_message_actions(self):
        """Each message offers its actions as named push buttons."""
        wanted = ("Copy Message", "Edit Message", "Delete Message",
                  "Copy Reply", "Regenerate Reply", "Delete Reply")
        wait_for(lambda: self.button("Send") and not self.button("Stop"), 10)
        found = {name: find_all(self.app, Atspi.Role.PUSH_BUTTON, name) for name in wanted}
        missing = [name for name in wanted if not found[name]]
        no_action = [name for name in wanted if found[name] and not self.actions_of(found[name][0])]
        users = len(found["Copy Message"])
        self.tap.result(not missing and not no_action and users >= 3,
                        "each message offers named actions (Copy, Edit, Regenerate, Delete)",
                        ["missing: %r, without an action: %r" % (missing, no_action),
                         "count by name: %s" % {name: len(found[name]) for name in wanted}])

    def dialog(self, title):
        for obj in children(self.app):
            if role_of(obj) in (Atspi.Role.FRAME, Atspi.Role.DIALOG, Atspi.Role.WINDOW) and name_of(obj) == title:
                return obj
        return None

    def check_chat_settings(self):
        """"Chat Settings" from the main menu: its window opens, its controls
        all have names, and Escape closes it."""
        diag = []
        menu_button = find_one(self.app, (Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON), "Main Menu",
                               pred=lambda o: on_screen(o) and self.actions_of(o))
        item = None
        if menu_button is None:
            diag.append('no "Main Menu" button')
        else:
            self.press(menu_button)
            item = wait_for(lambda: find_one(self.app, Atspi.Role.MENU_ITEM, "Chat Settings",
                                             pred=on_screen), 5)
            if item is None:
                diag.append('no menu item "Chat Settings"; items: %r'
                            % [describe(o) for o in find_all(self.app, Atspi.Role.MENU_ITEM)])
        window = None
        unnamed, controls = {}, []
        closed = False
        if item is not None:
            self.press(item)
            window = wait_for(lambda: self.dialog("Chat Settings"), 5)
            if window is None:
                diag.append("no window named \"Chat Settings\" opened")
        if window is not None:
            wait_for(lambda: find_one(window, Atspi.Role.SPIN_BUTTON), 3)
            # Only what is on screen: the window's search and page switcher,
            # unused here, stay in GTK 4.8's tree though nothing shows them.
            unnamed = self.name_problems(window, on_screen)[0]
            controls = [o for o in walk(window) if role_of(o) in INTERACTIVE_ROLES and on_screen(o)]
            diag.append("controls on screen: %d" % len(controls))
            diag += ["without a name: " + d for d in unnamed.values()]
            self.keyboard.key(KEY_ESCAPE)
            closed = wait_for(lambda: self.dialog("Chat Settings") is None, 5)
            diag.append("closed with Escape: %s" % bool(closed))
        self.tap.result(window is not None and not unnamed and bool(closed) and len(controls) >= 5,
                        '"Chat Settings" opens from the main menu, names all its controls and closes '
                        'with Escape', diag)

    def check_search(self):
        """"Search Chats": typing lists the results in a list whose items
        have names."""
        diag = []
        toggle = find_one(self.app, (Atspi.Role.TOGGLE_BUTTON, Atspi.Role.PUSH_BUTTON), "Search Chats")
        entry = None
        if toggle is None:
            diag.append('no "Search Chats" button')
        else:
            self.press(toggle)
            entry = wait_for(lambda: find_one(self.app, (Atspi.Role.ENTRY, Atspi.Role.TEXT), "Search Chats",
                                              pred=lambda o: has(o, Atspi.StateType.FOCUSED)), 5)
            if entry is None:
                diag.append('the keyboard focus is not in an entry "Search Chats"')
        items = []
        if entry is not None:
            self.keyboard.type("code")

            # Each key typed searches anew: wait for the results of "code".
            def listed():
                results = find_one(self.app, Atspi.Role.LIST, "Search Results", pred=on_screen)
                items[:] = find_all(results, Atspi.Role.LIST_ITEM) if results is not None else []
                names = [name_of(i) for i in items]
                return names and not any(missing_name(n) for n in names) and any("code" in n for n in names)
            wait_for(listed, 10)
            diag.append("entry text: %r" % text_of(entry))
            diag += ["result: " + describe(i) for i in items]
        names = [name_of(i) for i in items]
        if entry is not None:
            self.keyboard.key(KEY_ESCAPE)
        self.tap.result(bool(items) and not any(missing_name(n) for n in names)
                        and any("code" in n for n in names),
                        'typing in "Search Chats" lists named results in a list "Search Results"', diag)

    def model_button(self):
        combo = find_one(self.app, Atspi.Role.COMBO_BOX, "Model") or find_one(self.app, name="Model")
        if combo is None:
            return None, None
        if role_of(combo) != Atspi.Role.COMBO_BOX:
            return combo, combo
        return combo, find_one(combo, (Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON))

    def open_model_list(self):
        """Open the "Model" list through its button's action; the list or None."""
        combo, button = self.model_button()
        if button is None:
            return None
        try:
            button.get_action_iface().do_action(0)
        except (GLib.Error, AttributeError):
            return None
        return wait_for(lambda: find_one(combo, Atspi.Role.LIST,
                                         pred=lambda o: on_screen(o) and find_one(o, Atspi.Role.LIST_ITEM)), 5)

    def choose_model(self, popup):
        """Arrow down to the other model, Enter; the chosen name or None."""
        tap = self.tap
        target = "qwen3:0.6b"

        def focused_item():
            for item in find_all(popup, Atspi.Role.LIST_ITEM, pred=lambda o: has(o, Atspi.StateType.FOCUSED)):
                return item, " ".join(text_of(o) for o in walk(item) if role_of(o) == Atspi.Role.LABEL)
            return None
        diag = []
        ok = False
        if popup is None:
            diag.append('the "Model" list did not open from its button\'s action')
        else:
            start = wait_for(focused_item, 3)
            diag.append("focus on opening: %r" % (start[1] if start else None))
            for _ in range(5):
                current = focused_item()
                if current and target in current[1]:
                    break
                self.keyboard.key(KEY_DOWN)
                wait_for(lambda: focused_item() and focused_item() != current, 1)
            current = focused_item()
            diag.append("focus after arrowing: %r" % (current[1] if current else None))
            if current and target in current[1]:
                self.keyboard.key(KEY_RETURN)
                ok = wait_for(lambda: self.model_shown_text() == target, 5)
            diag.append('"Model" now shows %r' % self.model_shown_text())
        tap.result(bool(ok), 'choosing %s from the "Model" list with the keyboard' % target, diag)
        return target if ok else None

    def model_shown_text(self):
        combo, button = self.model_button()
        if button is None:
            return None
        texts = [text_of(o) for o in walk(button) if role_of(o) == Atspi.Role.LABEL and on_screen(o)]
        return " ".join(t for t in texts if t) or None

    def name_problems(self, root=None, pred=None):
        """Interactive controls in the tree (or under root, and passing pred)
        without a usable name, and those whose name is garbled:
        {key: description} each."""
        unnamed, garbled = {}, {}
        for obj in walk(root or self.app):
            role = role_of(obj)
            interactive = role in INTERACTIVE_ROLES or (
                role in FOCUSABLE_CONTAINER_ROLES and has(obj, Atspi.StateType.FOCUSABLE))
            if not interactive or not has(obj, Atspi.StateType.VISIBLE) or (pred and not pred(obj)):
                continue
            name = name_of(obj)
            key = (obj.get_role_name(), name, path_of(obj))
            if missing_name(name):
                unnamed[key] = describe(obj)
            elif MNEMONIC.search(name) or DOUBLED.fullmatch(name):
                garbled[key] = describe(obj)
        return unnamed, garbled

    def check_names(self, popup):
        unnamed, garbled = self.name_problems()
        self.reported = set(unnamed) | set(garbled)
        self.tap.result(not unnamed,
                        "every interactive control has an accessible name (the open Model list included)",
                        ([] if popup else ['the "Model" list did not open: its parts were not checked'])
                        + (["without a name (GTK 4.8 reports the type name instead):"] if unnamed else [])
                        + ["  " + d for d in unnamed.values()])
        self.tap.result(not garbled, "no accessible name leaks a mnemonic underscore or repeats itself",
                        ["  " + d for d in garbled.values()])

    def check_names_again(self):
        """The controls a conversation added (message rows, status lines)."""
        unnamed, garbled = self.name_problems()
        new = [d for k, d in unnamed.items() if k not in self.reported] \
            + [d for k, d in garbled.items() if k not in self.reported]
        self.tap.result(not new, "after the conversation, no new control lacks a clean name",
                        ["  " + d for d in new])

    def check_stop(self):
        """Tests 16-19: a long reply, stopped. False if it had to bail out."""
        tap = self.tap
        self.stub.pace(delay_ms=40, tokens=3000)  # about two minutes unless stopped
        focused, how = self.focus_composer()
        self.keyboard.type("tell a long story")
        wait_for(lambda: text_of(self.composer()) == "tell a long story", 3)
        self.keyboard.key(KEY_RETURN)
        self.wait_chat_for("tell a long story", 10)

        # Some text arrives, and Stop is there to press.
        some = wait_for(lambda: len(self.reply_text_for("tell a long story")) > 40, 15)
        stop = wait_for(lambda: self.button("Stop"), 5)
        stop_ok = stop is not None and has(stop, Atspi.StateType.SENSITIVE)
        tap.result(bool(some) and stop_ok, 'while a reply streams, a push button "Stop" is offered',
                   ["reply so far: %r" % self.reply_text_for("tell a long story")[:80],
                    "Stop: %s" % (describe(stop) if stop else "absent"),
                    "buttons: %s" % [name_of(b) for b in find_all(self.app, Atspi.Role.PUSH_BUTTON)]])
        if not stop_ok:
            tap.bail("no Stop button")
            return False

        # Press it through its Action interface, as a screen reader does.
        try:
            action = stop.get_action_iface()
            names = [action.get_action_name(i) for i in range(action.get_n_actions())]
            pressed = action.do_action(0)
        except GLib.Error as e:
            names, pressed = [], "error: %s" % e.message
        before = self.reply_text_for("tell a long story")
        cancelled = wait_for(lambda: self.chat_for("tell a long story").get("cancelled"), 5, 0.05)
        chat = self.chat_for("tell a long story")
        tap.result(bool(cancelled), 'pressing "Stop" closes the HTTP request',
                   ["actions %r, do_action(0) -> %r" % (names, pressed),
                    "stub: %d of %d tokens sent, cancelled=%s, completed=%s"
                    % (chat.get("tokens_sent", 0), chat.get("tokens_planned", 0),
                       chat.get("cancelled"), chat.get("completed"))])

        # The partial reply stays, and stops growing.
        time.sleep(1.0)
        after = self.reply_text_for("tell a long story")
        planned = norm(chat.get("reply", ""))
        time.sleep(0.5)
        later = self.reply_text_for("tell a long story")
        tap.result(len(after) > 0 and planned.startswith(after) and after == later and len(after) < len(planned),
                   "the partial reply stays visible and stops growing",
                   ["at Stop: %d chars, 1 s later: %d, 1.5 s later: %d, full reply would be %d"
                    % (len(before), len(after), len(later), len(planned)),
                    "tail: %r" % after[-60:]])

        # Usable again: Send is back, and a new message goes through.
        self.stub.pace(delay_ms=20, tokens=0)
        back = wait_for(lambda: self.button("Send") is not None and self.button("Stop") is None, 5)
        entry, how = self.focus_composer()
        typed = False
        if entry is not None and has(entry, Atspi.StateType.EDITABLE):
            self.keyboard.type("after stop")
            typed = wait_for(lambda: text_of(self.composer()) == "after stop", 3)
        # Send is insensitive while the composer is empty; now it may be used.
        send = wait_for(lambda: self.button("Send") if has(self.button("Send"), Atspi.StateType.SENSITIVE) else None, 3)
        sent = False
        if typed and send is not None:
            try:
                send.get_action_iface().do_action(0)
            except GLib.Error:
                pass
            sent = self.wait_chat_for("after stop", 10)
        third = self.chat_for("after stop")
        answered = wait_for(lambda: self.reply_text_for("after stop") == norm(third.get("reply", "-")), 10) \
            if third else False
        tap.result(bool(back and typed and sent and answered),
                   'after Stop, "Send" and the composer work again',
                   ["Send back, Stop gone: %s; focus via %s; typed: %s; Send sensitive: %s; "
                    "sent with Send: %s; answered: %s"
                    % (bool(back), how, bool(typed), send is not None, bool(sent), bool(answered)),
                    "request: %r" % user_text(third) if third else "no request sent"])
        return True

    # -- tear-down ------------------------------------------------------------

    def screenshot(self):
        if not shutil.which("import") or not os.environ.get("DISPLAY"):
            return
        path = os.path.join(self.artifacts, "a11y.png")
        try:
            subprocess.run(["import", "-window", "root", path], timeout=15,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            self.tap.note("screenshot: %s" % path)
        except (subprocess.SubprocessError, OSError):
            pass

    def cleanup(self):
        stop_process(self.cria)
        if self.stub is not None:
            stop_process(self.stub.proc)
        shutil.rmtree(self.workdir, ignore_errors=True)


def on_alarm(signum, frame):
    raise Timeout("the test ran longer than %d s" % OVERALL_TIMEOUT)


def main():
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(OVERALL_TIMEOUT)
    test = Test()
    try:
        test.run()
    except Exception as e:  # noqa: BLE001 (report anything as a failure)
        test.tap.note("".join(traceback.format_exception(type(e), e, e.__traceback__)))
        if test.app is not None:
            test.tap.note("\n".join(tree_dump(test.app)[:200]))
        test.tap.bail(str(e) or type(e).__name__)
    finally:
        signal.alarm(0)
        try:
            if test.tap.failed:
                cria_tail = tail(test.cria_log_path, 40)
                if cria_tail:
                    test.tap.note("cria output (last lines):\n" + "\n".join(cria_tail))
            test.screenshot()
        finally:
            test.cleanup()
    sys.exit(1 if test.tap.failed or test.tap.n != test.tap.plan else 0)


if __name__ == "__main__":
    main()
