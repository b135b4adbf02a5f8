package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The runner README's configuration table against what {@link RunnerConfig} reads: a variable added, renamed or
 * dropped in one place only fails here (the runner is JDK-only, so it has its own reader, not the mappings).
 */
class RunnerConfigurationTableTest {

    @Test
    void theTableNamesExactlyTheVariablesTheRunnerReads() throws Exception {
        Set<String> read = new TreeSet<>();
        try {
            RunnerConfig.from(new HashMap<>() {
                @Override
                public String get(Object key) {
                    read.add((String) key);
                    return null;
                }
            });
        } catch (RuntimeException defaultsRefusedOnThisMachine) {
            // every name is asked before the problems are reported; only the names matter here
        }
        Set<String> documented = new TreeSet<>();
        String readme = Files.readString(Path.of(System.getProperty("kcr.runner.readme", "README.md")));
        String table = readme.substring(
                readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1));
        for (String line : table.lines().filter(l -> l.startsWith("| `")).toList()) {
            Matcher m = Pattern.compile("`(RUNNER_[A-Z0-9_]+)`").matcher(line.split("\\|")[1]);
            while (m.find()) {
                documented.add(m.group(1));
            }
        }
        assertEquals(read, documented);
    }
}
