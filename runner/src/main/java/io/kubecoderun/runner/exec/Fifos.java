package io.kubecoderun.runner.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Named pipes, made with coreutils' mkfifo (the JDK has no call for it). */
final class Fifos {
    private Fifos() {}

    /** Creates a FIFO only its owner may open (the sandbox user maps to the runner's). */
    static void make(Path path) throws IOException {
        Process p = new ProcessBuilder(Tools.MKFIFO, "-m", "600", path.toString())
                .redirectErrorStream(true)
                .start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("mkfifo " + path + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted in mkfifo", e);
        }
    }
}
