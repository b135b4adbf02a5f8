package io.kubecoderun.runner.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;

/** Looks for processes on this machine by a unique word in their command line (outside any sandbox's view). */
public final class HostProcesses {
    private HostProcesses() {}

    /** Live (non-zombie) processes whose argv contains {@code word}, as "pid: cmdline" lines. */
    public static List<String> withArgument(String word) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    String stat = Files.readString(proc.resolve("stat"));
                    boolean zombie = stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
                    if (!zombie && cmdline.contains(word)) {
                        found.add(proc.getFileName() + ": " + cmdline.strip());
                    }
                } catch (IOException | RuntimeException gone) {
                    // Exited while we looked.
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    /** Waits up to {@code millis} for every such process to be gone; returns what is left. */
    public static List<String> awaitGone(String word, long millis) {
        try {
            return await().atMost(Duration.ofMillis(millis))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> withArgument(word), List::isEmpty);
        } catch (ConditionTimeoutException stillThere) {
            return withArgument(word);
        }
    }
}
