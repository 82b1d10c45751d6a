package dev.outflow.functions;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.event.Json;

import org.graalvm.polyglot.Source;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CommonJS files of the bundled libraries (lodash, moment-timezone, uuidv5, xml, buffer and their
 * dependencies), found on the class path where Maven put them (webjars, npm tarballs). Each file becomes a
 * cached {@link Source} wrapped as {@code function (module, exports, require)}, so every context of the shared
 * engine parses it once.
 */
final class ModuleLibrary {

    private static final Properties PACKAGES = load();
    private static final Map<String, Optional<Module>> MODULES = new ConcurrentHashMap<>();

    /** A resolved file: JavaScript source to run, or JSON text. */
    record Module(String path, Source wrapper, String json) {}

    private ModuleLibrary() {}

    static boolean knows(String pkg) {
        return PACKAGES.containsKey(pkg);
    }

    /** The module {@code path} (relative to the package root; empty for its main file) of {@code pkg}. */
    static Optional<Module> find(String pkg, String path) {
        if (!PACKAGES.containsKey(pkg) || path.contains("..")) {
            return Optional.empty();
        }
        return MODULES.computeIfAbsent(pkg + ":" + path, key -> resolve(pkg, path));
    }

    private static Optional<Module> resolve(String pkg, String path) {
        String root = PACKAGES.getProperty(pkg);
        String target = path.isEmpty() ? main(root) : path;
        for (String candidate : List.of(target, target + ".js", target + ".json", target + "/index.js")) {
            String text = read(root + candidate);
            if (text == null) {
                continue;
            }
            if (candidate.endsWith(".json")) {
                return Optional.of(new Module(candidate, null, text));
            }
            Source wrapper = Source.newBuilder("js",
                    "(function (module, exports, require) {" + text + "\n})", pkg + "/" + candidate)
                    .cached(true).buildLiteral();
            return Optional.of(new Module(candidate, wrapper, null));
        }
        return Optional.empty();
    }

    private static String main(String root) {
        String manifest = read(root + "package.json");
        if (manifest != null) {
            try {
                JsonNode main = Json.MAPPER.readTree(manifest).get("main");
                if (main != null && main.isTextual()) {
                    String value = main.asText();
                    return value.startsWith("./") ? value.substring(2) : value;
                }
            } catch (IOException e) {
                // fall through to the npm default
            }
        }
        return "index.js";
    }

    private static String read(String resource) {
        if (resource.endsWith("/")) {
            return null;
        }
        java.net.URL url = ModuleLibrary.class.getClassLoader().getResource(resource);
        // a folder resolves too (a jar's "dir/" entry, a file: directory); only files are modules
        if (url == null || url.getPath().endsWith("/")
                || ("file".equals(url.getProtocol()) && new java.io.File(url.getPath()).isDirectory())) {
            return null;
        }
        try (InputStream in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Properties load() {
        Properties packages = new Properties();
        try (InputStream in = ModuleLibrary.class.getResourceAsStream("libraries.properties")) {
            if (in != null) {
                packages.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return packages;
    }
}
