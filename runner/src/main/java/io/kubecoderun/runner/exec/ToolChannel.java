package io.kubecoderun.runner.exec;

import io.kubecoderun.runner.lang.ToolNames;
import io.kubecoderun.runner.wire.Json;
import io.kubecoderun.runner.wire.ToolResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * How a programmatic execution's program reaches its tools: files and FIFOs in a directory of their own next to its
 * build directory, which the sandbox mounts writable on its own ({@link Sandbox#toolsDir}). Per call the program
 * <ol>
 *   <li>creates the FIFO {@code <token>.res} and holds it open read-write (so it never blocks and keeps a reader),</li>
 *   <li>writes {@code <token>.req}: the tool's identifier on the first line, its input (JSON) after it,</li>
 *   <li>writes the line {@code <token> <flag>} to the FIFO {@code bell}, which the runner holds open, where the flag
 *       is {@code 1} (more calls follow at once), {@code 0} (that is all for now) or {@code ?} (the program cannot
 *       tell: bash),</li>
 *   <li>reads one line from {@code <token>.res}: {@code 0} success or {@code 1} error, and then {@code <token>.out}
 *       (Python: JSON {@code {"ok", "result"|"error"}}; bash: the text to print).</li>
 * </ol>
 * Everything in the directory is the program's to tamper with, but not the directory itself (a mount point: it can
 * be neither renamed nor replaced with a link). Tokens are checked; files are opened without following links, and
 * read-write so that a FIFO put in a request's place cannot block the open, and a FIFO is never read; sizes are
 * capped; the wake-up write, the one write into a FIFO the program owns, runs on a thread a close can interrupt.
 * A call the runner cannot read is answered with an error, never trusted.
 */
public final class ToolChannel implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ToolChannel.class.getName());
    static final String BELL = "bell";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final int MAX_LINE = 256;
    private static final long WAKE_TIMEOUT_MS = 1_000;
    private static final java.util.concurrent.ExecutorService WAKERS =
            java.util.concurrent.Executors.newCachedThreadPool(
                    r -> Thread.ofPlatform().daemon().name("kcr-tool-wake").unstarted(r));

    /** The program's side of one call, as the runner read it. */
    public record Arrival(String token, String tool, Object input, char flag, long bytes) {}

    /** Receives each call the program makes (on the channel's reader thread). */
    public interface Listener {
        /** A readable call of a known tool; the listener answers it later through {@link #answer}. */
        void arrived(Arrival arrival);
    }

    private final String language;
    /** Identifier in the program → the tool's name in the request. */
    private final Map<String, String> tools = new LinkedHashMap<>();

    private final long maxInputBytes;
    private volatile Path dir;
    private volatile FileChannel bell;
    private volatile boolean closed;

    /**
     * @param language {@code py} or {@code bash}
     * @param names the tools' names as the request lists them; identifiers must be distinct and non-empty
     */
    public ToolChannel(String language, List<String> names, long maxInputBytes) {
        this.language = language;
        this.maxInputBytes = maxInputBytes;
        for (String name : names) {
            String identifier = ToolNames.forLanguage(language, name);
            ToolNames.unusable(language, name).ifPresent(problem -> {
                throw new IllegalArgumentException(problem);
            });
            String clash = tools.putIfAbsent(identifier, name);
            if (clash != null) {
                throw new IllegalArgumentException("the tools '" + clash + "' and '" + name + "' are both called "
                        + identifier + " in the program");
            }
        }
    }

    /**
     * Creates {@code tools/} and the bell in {@code build} and writes what the program's prelude reads: for Python
     * {@code tools.json} next to the source (the wrapper installs the functions), for bash {@code kcr_tools.sh}
     * (sourced through {@code BASH_ENV}). Returns the environment the program needs (bash; empty for Python, whose
     * warm interpreter started before any of this).
     */
    public Map<String, String> prepare(Path build, String buildView, Path toolsDir, String toolsView)
            throws IOException {
        closeBell(); // prepared before, for a warm interpreter that did not take the program
        dir = toolsDir;
        Files.createDirectories(dir);
        Path bellPath = dir.resolve(BELL);
        if (!isFifo(bellPath)) {
            Fifos.make(bellPath); // none made ahead (a warm interpreter's is)
        }
        bell = FileChannel.open(
                bellPath, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
        String viewDir = toolsView;
        Map<String, String> env = new LinkedHashMap<>();
        if ("bash".equals(language)) {
            Files.writeString(build.resolve("kcr_tools.sh"), bashPrelude(viewDir), StandardCharsets.UTF_8);
            env.put("BASH_ENV", buildView + "/kcr_tools.sh");
            env.put("KCR_TOOLS_DIR", viewDir);
        } else {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("dir", viewDir);
            spec.put("functions", List.copyOf(tools.keySet()));
            Files.writeString(build.resolve("tools.json"), Json.write(spec), StandardCharsets.UTF_8);
        }
        return env;
    }

    private static boolean isFifo(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .isOther();
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    /** Starts reading the bell; each readable call goes to {@code listener}, the rest are answered with an error. */
    public void start(Listener listener) {
        FileChannel channel = bell;
        Thread.ofPlatform().daemon().name("kcr-tools").start(() -> read(channel, listener));
    }

    private void read(FileChannel channel, Listener listener) {
        InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(channel), 4096);
        byte[] line = new byte[MAX_LINE];
        int length = 0;
        boolean overlong = false;
        try {
            int b;
            while (!closed && channel == bell && (b = in.read()) >= 0) {
                if (b != '\n') {
                    if (length < MAX_LINE) {
                        line[length++] = (byte) b;
                    } else {
                        overlong = true;
                    }
                    continue;
                }
                String text = new String(line, 0, length, StandardCharsets.US_ASCII);
                length = 0;
                if (overlong) {
                    overlong = false;
                    continue;
                }
                ring(text, listener);
            }
        } catch (IOException e) {
            if (!closed && channel == bell) {
                LOG.warning("event=tool_channel_failed error=" + e);
            }
        }
    }

    private void ring(String line, Listener listener) {
        int space = line.indexOf(' ');
        String token = space < 0 ? line : line.substring(0, space);
        String flag = space < 0 ? "?" : line.substring(space + 1).strip();
        if (!TOKEN.matcher(token).matches() || !List.of("0", "1", "?").contains(flag)) {
            return; // not a call: nothing to answer
        }
        String request;
        try {
            request = readRequest(dir.resolve(token + ".req"));
        } catch (IOException e) {
            answer(
                    token,
                    ToolResult.error(
                            "the tool call could not be read: " + e.getClass().getSimpleName()));
            return;
        }
        int newline = request.indexOf('\n');
        String identifier = (newline < 0 ? request : request.substring(0, newline)).strip();
        String raw = newline < 0 ? "" : request.substring(newline + 1);
        String tool = tools.get(identifier);
        if (tool == null) {
            answer(token, ToolResult.error("no tool named " + identifier + " in this execution"));
            return;
        }
        Object input;
        try {
            input = input(raw);
        } catch (Json.JsonException e) {
            answer(token, ToolResult.error("the input of " + identifier + " is not JSON: " + e.getMessage()));
            return;
        }
        listener.arrived(
                new Arrival(token, tool, input, flag.charAt(0), request.getBytes(StandardCharsets.UTF_8).length));
    }

    /** Python sends JSON (its keyword arguments); bash sends what the program passed: a JSON object, or text. */
    private Object input(String raw) {
        String text = raw.strip();
        if (!"bash".equals(language)) {
            return text.isEmpty() ? Map.of() : Json.parse(text);
        }
        if (text.isEmpty()) {
            return Map.of();
        }
        if (text.startsWith("{")) {
            try {
                Object parsed = Json.parse(text);
                if (parsed instanceof Map<?, ?>) {
                    return parsed;
                }
            } catch (Json.JsonException notJson) {
                // the program's text as it is
            }
        }
        return raw;
    }

    /**
     * The request, read without following a link and without blocking: opened read-write (a FIFO put in its place
     * opens at once, where a read-only open would wait for a writer forever) and read only as far as the opened
     * file's size, which is 0 for a FIFO.
     */
    private String readRequest(Path path) throws IOException {
        try (var channel = Files.newByteChannel(
                path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
            if (channel.size() > maxInputBytes) {
                throw new IOException("the input exceeds " + maxInputBytes + " bytes");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // reading
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /**
     * Answers the call the program made under {@code token}: writes {@code <token>.out} (a new file; never through a
     * link the program left there) and wakes the program through its {@code <token>.res}. A program that broke its
     * own side of the protocol simply never hears back.
     */
    public void answer(String token, ToolResult result) {
        if (closed) {
            return;
        }
        byte[] out = render(result);
        Path outPath = dir.resolve(token + ".out");
        try (var channel = Files.newByteChannel(
                outPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.wrap(out);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            LOG.warning("event=tool_result_unwritable token=" + token + " error=" + e);
            return;
        }
        wake(dir.resolve(token + ".res"), result.isError() ? "1\n" : "0\n");
    }

    private byte[] render(ToolResult result) {
        if ("bash".equals(language)) {
            String text;
            if (result.isError()) {
                text = result.errorMessage() == null ? "tool call failed" : result.errorMessage();
            } else {
                text = result.result() instanceof String s ? s : Json.write(result.result());
            }
            return (text.endsWith("\n") ? text : text + "\n").getBytes(StandardCharsets.UTF_8);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", !result.isError());
        if (result.isError()) {
            json.put("error", result.errorMessage() == null ? "tool call failed" : result.errorMessage());
        } else {
            json.put("result", result.result());
        }
        return Json.write(json).getBytes(StandardCharsets.UTF_8);
    }

    /** Two bytes into the program's own FIFO; bounded, since the program could have filled it to stall us. */
    private void wake(Path fifo, String status) {
        FileChannel channel;
        try {
            BasicFileAttributes attributes =
                    Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isOther()) {
                return; // not a FIFO
            }
            channel = FileChannel.open(
                    fifo, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return; // gone: the program stopped waiting
        }
        // A platform thread: closing the channel signals it out of a blocked write (it would not signal a virtual one).
        CompletableFuture<Void> write = CompletableFuture.runAsync(
                () -> {
                    try {
                        channel.write(ByteBuffer.wrap(status.getBytes(StandardCharsets.US_ASCII)));
                    } catch (IOException ignored) {
                        // closed below
                    }
                },
                WAKERS);
        try {
            write.get(WAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warning("event=tool_wake_stalled fifo=" + fifo.getFileName());
        } finally {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing held
            }
        }
    }

    private String bashPrelude(String viewDir) {
        StringBuilder sh = new StringBuilder();
        sh.append("# KubeCodeRun: the tools of this execution as shell functions (sourced through BASH_ENV).\n");
        sh.append("__kcr_tool() {\n");
        sh.append("  local __kcr_t=\"" + viewDir + "/$BASHPID.${SRANDOM-}$RANDOM$RANDOM\" __kcr_fd __kcr_status\n");
        sh.append("  command mkfifo -m 600 \"$__kcr_t.res\" || return 70\n");
        sh.append("  exec {__kcr_fd}<>\"$__kcr_t.res\"\n");
        sh.append("  builtin printf '%s\\n%s' \"$1\" \"${2-}\" > \"$__kcr_t.req\"\n");
        sh.append("  builtin printf '%s ?\\n' \"${__kcr_t##*/}\" > \"" + viewDir + "/bell\"\n");
        sh.append("  IFS= builtin read -r -u \"$__kcr_fd\" __kcr_status\n");
        sh.append("  exec {__kcr_fd}<&-\n");
        sh.append("  if [ \"$__kcr_status\" = 0 ]; then command cat \"$__kcr_t.out\"; "
                + "else command cat \"$__kcr_t.out\" >&2; fi\n");
        sh.append("  command rm -f \"$__kcr_t.res\" \"$__kcr_t.out\"\n");
        sh.append("  [ \"$__kcr_status\" = 0 ]\n");
        sh.append("}\n");
        for (String identifier : tools.keySet()) {
            sh.append(identifier).append("() { __kcr_tool ").append(identifier).append(" \"$@\"; }\n");
        }
        return sh.toString();
    }

    @Override
    public void close() {
        closed = true;
        closeBell();
    }

    /** Ends the reader, which is blocked reading the bell (closing the channel interrupts the read). */
    private void closeBell() {
        FileChannel channel = bell;
        bell = null;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
