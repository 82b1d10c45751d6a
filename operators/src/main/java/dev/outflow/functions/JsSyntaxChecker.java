package dev.outflow.functions;

import dev.outflow.schemas.catalog.FunctionCodeChecker;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;

import java.util.Optional;

/**
 * Parses (never runs) a function's code as the sloppy-mode script it will be loaded as, so the catalog loader
 * can report a syntax error with its line at start-up. Found by the loader through {@link java.util.ServiceLoader}.
 */
public final class JsSyntaxChecker implements FunctionCodeChecker {

    @Override
    public Optional<String> check(String codeFile, String code) {
        try (Context context = FunctionEngine.newContext()) {
            context.parse(Source.newBuilder("js", code, codeFile).buildLiteral());
            return Optional.empty();
        } catch (PolyglotException e) {
            if (!e.isSyntaxError()) {
                throw e;
            }
            String where = e.getSourceLocation() == null ? ""
                    : " at line " + e.getSourceLocation().getStartLine();
            return Optional.of("JavaScript syntax error" + where + ": " + e.getMessage());
        }
    }
}
