package io.kubecoderun.runner.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The identifiers must be LibreChat's, character for character. Each row was produced by running the client's own
 * {@code normalizeToPythonIdentifier} and {@code normalizeToBashIdentifier} (copied from
 * {@code @librechat/agents} 3.9.2 {@code src/tools/*ProgrammaticToolCalling.ts}) under node.
 */
class ToolNamesTest {
    @ParameterizedTest(name = "{0} → py {1}, bash {2}")
    @CsvSource(delimiter = '|', textBlock = """
            add-numbers   | add_numbers  | add_numbers
            get weather   | get_weather  | get_weather
            class         | class_tool   | class
            3d.render     | _3drender    | _3d_render
            my.tool!      | mytool       | my_tool
            local         | local        | local_tool
            mcp__srv__x   | mcp__srv__x  | mcp__srv__x
            'tab\there'   | tab_here     | tab_here
            nbsp\u00a0x   | nbsp_x       | nbsp_x
            Ünïcode-naïve | ncode_nave   | ncode_nave
            await         | await_tool   | await
            for           | for_tool     | for_tool
            1             | _1           | _1
            done          | done         | done_tool
            a\ufeffb      | a_b          | a_b
            x\u2028y      | x_y          | x_y
            """)
    void identifiersAreTheClients(String name, String python, String bash) {
        String unescaped = name.replace("\\t", "\t");
        assertEquals(python, ToolNames.python(unescaped));
        assertEquals(bash, ToolNames.bash(unescaped));
    }
}
