package dev.outflow.schemas.catalog;

import java.util.Optional;

/**
 * Checks a function destination's JavaScript when the catalog is loaded, so a syntax error fails at start-up.
 * The loader finds implementations with {@link java.util.ServiceLoader}; the operators module provides the
 * GraalJS one, keeping this module free of a JavaScript engine.
 */
public interface FunctionCodeChecker {

    /** The problem (for example {@code "SyntaxError at line 3: ..."}), or empty when the code parses. */
    Optional<String> check(String codeFile, String code);
}
