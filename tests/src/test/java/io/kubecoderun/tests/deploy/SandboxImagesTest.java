package io.kubecoderun.tests.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.controller.ControllerSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The sandbox images' packages without a container engine: images/sandbox/packages is the one list, each
 * language image's Dockerfile target installs its own line, the bash image every line (agents call every
 * toolchain from bash), and {@code ./kcr test} installs them all, so the tests run against what the images carry.
 */
class SandboxImagesTest {
    private static final Path SANDBOX = Manifests.root().resolve("images/sandbox");
    private static final Pattern TARGET = Pattern.compile("(?m)^FROM sandbox-base AS (\\S+)$");
    private static final Pattern INSTALL = Pattern.compile("(?m)^RUN /opt/kcr/packages\\.sh --install (\\S+)$");

    /** image -> its packages, as the list file has them. */
    private static Map<String, List<String>> lines() throws Exception {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        for (String line : Files.readAllLines(SANDBOX.resolve("packages"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            lines.put(
                    line.substring(0, colon),
                    List.of(line.substring(colon + 1).strip().split("\\s+")));
        }
        return lines;
    }

    /** Dockerfile target -> the argument of its {@code packages.sh --install}. */
    private static Map<String, String> installs() throws Exception {
        String dockerfile = Files.readString(SANDBOX.resolve("Dockerfile"));
        Map<String, String> installs = new LinkedHashMap<>();
        Matcher target = TARGET.matcher(dockerfile);
        List<Integer> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (target.find()) {
            names.add(target.group(1));
            starts.add(target.start());
        }
        for (int i = 0; i < names.size(); i++) {
            int end = i + 1 < names.size() ? starts.get(i + 1) : dockerfile.length();
            Matcher install = INSTALL.matcher(dockerfile.substring(starts.get(i), end));
            installs.put(names.get(i), install.find() ? install.group(1) : null);
        }
        return installs;
    }

    private static List<String> script(String... images) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("bash", SANDBOX.resolve("packages.sh").toString()));
        command.addAll(List.of(images));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    @Test
    void everyImageTheControllerAsksForHasItsLineAndTarget() throws Exception {
        Set<String> images = new TreeSet<>(ControllerSettings.IMAGE_NAMES.values());
        assertEquals(images, new TreeSet<>(lines().keySet()), "images/sandbox/packages has a line per image");
        assertEquals(images, new TreeSet<>(installs().keySet()), "images/sandbox/Dockerfile has a target per image");
    }

    @Test
    void eachLanguageImageInstallsItsLineAndBashEveryLine() throws Exception {
        installs().forEach((image, installed) -> {
            assertEquals(image.equals("bash") ? "all" : image, installed, "what target " + image + " installs");
        });
        Set<String> every = new LinkedHashSet<>();
        lines().values().forEach(every::addAll);
        assertEquals(List.copyOf(every), script("all"), "the bash image's packages: every image's");
        assertEquals(lines().get("rust"), script("rust"));
        assertTrue(script("all").containsAll(List.of("python3-pandas", "nodejs", "golang-go", "gcc", "ldc")));
    }

    @Test
    void kcrTestInstallsWhatTheImagesCarry() throws Exception {
        String kcr = Files.readString(Manifests.root().resolve("kcr"));
        assertTrue(kcr.contains("< <(images/sandbox/packages.sh all)"), "kcr reads the one list");
        assertTrue(kcr.contains("\"${SANDBOX_PACKAGES[@]}\""), "and installs it");
    }
}
