package dev.mcpwarden.config;

import dev.mcpwarden.security.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * {@code file:PATH}: the whole content of a file (a Kubernetes or Docker secret mount), less one trailing newline. A
 * relative path is resolved against the configuration file's directory. A file that others than its owner may read
 * is used, with a warning: secret mounts are often 0644 inside a container whose only user is the server's.
 */
public final class FileSecretProvider implements SecretProvider {

    /** Secret files larger than this are refused: a secret is a line, not a document. */
    static final long MAX_BYTES = 64 * 1024;

    @Override
    public String scheme() {
        return "file";
    }

    @Override
    public Secret resolve(String name, Context context) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("file: needs a path, e.g. file:/run/secrets/api-key");
        }
        Path file = context.baseDirectory().resolve(name).normalize();
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("secret file " + file + " is larger than " + MAX_BYTES + " bytes");
            }
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("secret file " + file + " does not exist");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("secret file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read secret file " + file + ": " + e.getClass().getSimpleName());
        }
        if (text.endsWith("\r\n")) {
            text = text.substring(0, text.length() - 2);
        } else if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("secret file " + file + " is empty");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                context.warn("secret file " + file + " is readable by its group or by others"
                        + " (chmod 600 it, or 400)");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system (Windows): its ACLs are the operator's business
        }
        return Secret.of(text, "file:" + name);
    }
}
