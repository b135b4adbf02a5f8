# Runs user Python code for the KubeCodeRun runner, restoring and saving its globals with cloudpickle.
# argv: source, state-in file ('' = none), state-out file ('' = do not save), report file, then user args.
# Or: --serve CONTROL [PRELOAD]: started ahead of the request (a warm interpreter), import the comma-separated
# PRELOAD modules, create CONTROL.ready to say so, then wait for one JSON line on the FIFO CONTROL ({src,
# state_in, state_out, report, args}) and run that program as above; an empty line (the runner discarding this
# interpreter) exits at once. With preloads (asyncio always, for programmatic runs), the exit skips freeing the
# libraries (_kcr_exit_fast).
# A programmatic execution has tools.json next to the source ({dir, functions}): each function becomes an async
# function in the program's globals that calls the tool through the runner's channel in dir (see ToolChannel.java),
# and the program may await at top level.
# The report file receives one line per skipped name: "name<TAB>reason". Kept import-light: cloudpickle is
# only imported when there is state to load or names to save.
import sys


def _kcr_report(report, name, reason):
    if report:
        with open(report, "a", encoding="utf-8") as f:
            f.write(name.replace("\t", " ").replace("\n", " ") + "\t" + reason.replace("\n", " ") + "\n")


def _kcr_restore(ns, state_in, report):
    try:
        with open(state_in, "rb") as f:
            data = f.read()
        import cloudpickle
        saved = cloudpickle.loads(data)
        if not isinstance(saved, dict):
            raise TypeError("state is a %s, not a dict of names" % type(saved).__name__)
        for name, value in saved.items():
            if isinstance(name, str):
                ns[name] = value
    except BaseException as e:  # a corrupt state must not stop the code from running
        _kcr_report(report, "<state>", "could not restore: %s: %s" % (type(e).__name__, e))
        sys.stderr.write("[kubecoderun] previous state could not be restored (%s); starting fresh\n"
                         % type(e).__name__)


def _kcr_save(ns, state_out, report):
    import types
    keep = {}
    for name, value in list(ns.items()):
        if name.startswith("_"):
            continue
        if isinstance(value, types.ModuleType):
            _kcr_report(report, name, "module (import it again in the next run)")
            continue
        keep[name] = value
    if not keep:
        return
    import cloudpickle
    try:
        data = cloudpickle.dumps(keep)
    except BaseException:
        data = None
    if data is None:  # find the culprits one by one and keep the rest
        good = {}
        for name, value in keep.items():
            try:
                cloudpickle.dumps(value)
                good[name] = value
            except BaseException as e:
                _kcr_report(report, name, "not picklable: %s: %s" % (type(e).__name__, e))
        try:
            data = cloudpickle.dumps(good)
        except BaseException as e:
            _kcr_report(report, "<state>", "could not save: %s: %s" % (type(e).__name__, e))
            return
    with open(state_out, "wb") as f:
        f.write(data)


def _kcr_tools(ns, spec_path):
    import asyncio
    import json
    import os
    with open(spec_path, "r", encoding="utf-8") as f:
        spec = json.load(f)
    directory = spec["dir"]
    state = {"bell": None, "batch": [], "flusher": None, "n": 0}

    def jsonable(value):
        for attr in ("tolist", "item", "to_dict", "isoformat"):
            convert = getattr(value, attr, None)
            if callable(convert):
                return convert()
        raise TypeError("tool inputs must be JSON values; got %s" % type(value).__name__)

    async def flush():
        # Every call an asyncio.gather started lands in this batch: wait until a loop turn adds none.
        seen = -1
        while seen != len(state["batch"]):
            seen = len(state["batch"])
            await asyncio.sleep(0)
        batch, state["batch"], state["flusher"] = state["batch"], [], None
        if state["bell"] is None:
            state["bell"] = os.open(os.path.join(directory, "bell"), os.O_WRONLY)
        lines = ["%s %s\n" % (token, "1" if i < len(batch) - 1 else "0") for i, token in enumerate(batch)]
        for line in lines:
            os.write(state["bell"], line.encode("ascii"))

    def make(identifier):
        async def tool(*args, **kwargs):
            if args:
                if len(args) == 1 and isinstance(args[0], dict) and not kwargs:
                    kwargs = args[0]
                else:
                    raise TypeError("%s takes keyword arguments: await %s(name=value, ...)" % (identifier, identifier))
            payload = json.dumps(kwargs, default=jsonable, ensure_ascii=False)
            loop = asyncio.get_running_loop()
            state["n"] += 1
            base = os.path.join(directory, "%d.%d" % (os.getpid(), state["n"]))
            os.mkfifo(base + ".res", 0o600)
            fd = os.open(base + ".res", os.O_RDWR | os.O_NONBLOCK)
            try:
                with open(base + ".req", "w", encoding="utf-8") as f:
                    f.write(identifier + "\n" + payload)
                answered = loop.create_future()

                def readable():
                    try:
                        os.read(fd, 16)
                    except BlockingIOError:
                        return
                    if not answered.done():
                        answered.set_result(None)

                loop.add_reader(fd, readable)
                state["batch"].append(os.path.basename(base))
                if state["flusher"] is None:
                    state["flusher"] = loop.create_task(flush())
                try:
                    await answered
                finally:
                    loop.remove_reader(fd)
            finally:
                os.close(fd)
            with open(base + ".out", "r", encoding="utf-8") as f:
                answer = json.load(f)
            for suffix in (".res", ".out"):
                try:
                    os.unlink(base + suffix)
                except OSError:
                    pass
            if answer.get("ok"):
                return answer.get("result")
            raise RuntimeError("%s failed: %s" % (identifier, answer.get("error")))

        tool.__name__ = tool.__qualname__ = identifier
        return tool

    for name in spec["functions"]:
        ns[name] = make(name)


def _kcr_run(source, src, ns, programmatic):
    if not programmatic:
        exec(compile(source, src, "exec"), ns)
        return
    import ast
    import asyncio
    code = compile(source, src, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if code.co_flags & 0x80:  # inspect.CO_COROUTINE: the source awaits at top level
        asyncio.run(eval(code, ns))
    else:
        exec(code, ns)


def _kcr_main():
    src, state_in, state_out, report = sys.argv[1:5]
    sys.argv = [src] + sys.argv[5:]
    ns = {"__name__": "__main__", "__file__": src, "__builtins__": __builtins__}
    if state_in:
        _kcr_restore(ns, state_in, report)
    with open(src, "r", encoding="utf-8") as f:
        source = f.read()
    import os
    tools = os.path.join(os.path.dirname(src), "tools.json")
    programmatic = os.path.exists(tools)
    status = 0
    try:
        if programmatic:
            _kcr_tools(ns, tools)
        _kcr_run(source, src, ns, programmatic)
    except SystemExit as e:
        code = e.code
        if code is None:
            status = 0
        elif isinstance(code, int):
            status = code
        else:
            sys.stderr.write(str(code) + "\n")
            status = 1
    except BaseException as e:
        import traceback
        tb = e.__traceback__
        # Drop this wrapper's frames so the trace starts in the user's code.
        while tb is not None and (tb.tb_frame.f_code in (_kcr_main.__code__, _kcr_run.__code__)
                                  or (programmatic and "/asyncio/" in tb.tb_frame.f_code.co_filename)):
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    if state_out:
        _kcr_save(ns, state_out, report)
    return status


def _kcr_exit_fast(status):
    # After preloads, freeing every module's objects at exit takes ~100 ms (numpy, pandas, matplotlib). Do what
    # the program may rely on from a normal exit -- its non-daemon threads joined, atexit handlers run, files it
    # left open flushed -- and skip the rest. Objects frozen after the preloads are not scanned.
    import atexit
    import gc
    import io
    import os
    import threading
    try:
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()
        for obj in gc.get_objects():
            if isinstance(obj, io.IOBase):
                try:
                    if not obj.closed:
                        obj.flush()
                except BaseException:
                    pass
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status if isinstance(status, int) else 1)


def _kcr_serve(control, preload):
    import json
    import os
    preloaded = False
    # Whatever the libraries print while importing (warnings, cache notices) is not the program's output.
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    try:
        try:
            # A programmatic run needs it (about 30 ms): imported while nobody waits. Freeing it at exit would
            # cost every program ~10 ms, so it counts as a preload: frozen, and the exit skips the teardown.
            import asyncio  # noqa: F401
            preloaded = True
        except BaseException:
            pass
        for name in filter(None, preload.split(",")):
            try:
                __import__(name)
                preloaded = True
            except BaseException:  # a library the image lacks: the program will say so if it needs it
                pass
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (quiet,) + saved:
            os.close(fd)
    if preloaded:
        import gc
        gc.freeze()  # the libraries' objects: never collected, never scanned at exit
    open(control + ".ready", "w").close()
    with open(control, "r", encoding="utf-8") as f:
        line = f.readline()
    if not line.strip():
        return 0
    command = json.loads(line)
    sys.argv = [sys.argv[0], command["src"], command["state_in"], command["state_out"], command["report"]] \
        + [str(a) for a in command["args"]]
    status = _kcr_main()
    if preloaded:
        _kcr_exit_fast(status)
    return status


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--serve":
        sys.exit(_kcr_serve(sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else ""))
    sys.exit(_kcr_main())
