package io.kubecoderun.runner.lang;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * How one language runs: the file the code is written to, an optional compile step, the run step, extra
 * environment, runner-owned support files and the factor applied to the caller's timeout.
 *
 * <p>Command templates use placeholders filled per execution with paths as the sandbox sees them:
 * {@code {src}} the source file, {@code {build}} the build directory (compile steps run there, so compilers leave
 * nothing in the working directory), {@code {bin}} the compiled program, {@code {main}} the Java main class, and
 * {@code {state_in} {state_out} {state_report}} the Python state files, {@code {python_wrapper}} the file name of
 * the runner's Python wrapper (compiled when possible). Arguments are appended to the run step.
 *
 * @param limitAddressSpace whether RLIMIT_AS may be applied; runtimes that reserve large virtual ranges up front
 *                          (JVM, V8, Go) fail under it and rely on the cgroup memory limit instead
 * @param traits            what this language can do beyond compile-and-run; callers ask {@link #has}, never the id
 */
public record Language(
        String id,
        List<String> aliases,
        String displayName,
        UnaryOperator<String> sourceFileName,
        List<String> compile,
        List<String> run,
        double timeoutFactor,
        Map<String, String> env,
        Map<String, String> supportFiles,
        boolean limitAddressSpace,
        Set<Trait> traits) {

    /** What a language can do beyond compiling and running one program. */
    public enum Trait {
        /** Its globals survive between executions of a session: state in and out (cloudpickle), {@code has_state}. */
        KEEPS_STATE,
        /** An interpreter can be started ahead, waiting for the program (the runner's warm interpreter). */
        WARM_INTERPRETER,
        /** The run step names the main class found in the source ({@code {main}}), compiled into {@code {build}/classes}. */
        MAIN_CLASS_FROM_SOURCE
    }

    public Language {
        aliases = List.copyOf(aliases);
        compile = List.copyOf(compile);
        run = List.copyOf(run);
        env = Map.copyOf(env);
        supportFiles = Map.copyOf(supportFiles);
        traits = traits.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(traits));
    }

    /** A language that only compiles (maybe) and runs. */
    public Language(
            String id,
            List<String> aliases,
            String displayName,
            UnaryOperator<String> sourceFileName,
            List<String> compile,
            List<String> run,
            double timeoutFactor,
            Map<String, String> env,
            Map<String, String> supportFiles,
            boolean limitAddressSpace) {
        this(
                id,
                aliases,
                displayName,
                sourceFileName,
                compile,
                run,
                timeoutFactor,
                env,
                supportFiles,
                limitAddressSpace,
                Set.of());
    }

    public boolean has(Trait trait) {
        return traits.contains(trait);
    }

    public boolean compiled() {
        return !compile.isEmpty();
    }

    /** Replaces placeholders in a command template; unknown placeholders are a programming error. */
    public static List<String> expand(List<String> template, Map<String, String> vars) {
        List<String> out = new ArrayList<>(template.size());
        for (String part : template) {
            String value = part;
            int open;
            while ((open = value.indexOf('{')) >= 0) {
                int close = value.indexOf('}', open);
                if (close < 0) {
                    break;
                }
                String key = value.substring(open + 1, close);
                String replacement = vars.get(key);
                if (replacement == null) {
                    throw new IllegalStateException("no value for placeholder {" + key + "} in " + template);
                }
                value = value.substring(0, open) + replacement + value.substring(close + 1);
            }
            out.add(value);
        }
        return out;
    }
}
