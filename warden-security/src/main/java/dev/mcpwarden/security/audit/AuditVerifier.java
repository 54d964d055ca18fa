package dev.mcpwarden.security.audit;

import dev.mcpwarden.security.audit.VerificationResult.Kind;
import dev.mcpwarden.security.audit.VerificationResult.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Checks an audit log's hash chain and reports the first problem: an edited record (its hash no longer matches), a
 * deleted record (a gap in {@code seq} whose numbers appear nowhere later), a reordered record (a gap filled later
 * in the file, or {@code seq} going backwards), a torn last line, or the wrong key. Streams the file once, in
 * constant memory.
 *
 * <p>What a chain alone cannot show: records cut from the <em>end</em> of the log leave a shorter chain that
 * verifies. The writer's signed {@link AuditCheckpoint} can: a log that ends before the record it names is reported
 * {@link Kind#TRUNCATED}. {@link VerificationResult.Intact#closed()} tells whether the log ends with its closing
 * record. Without a key,
 * someone who can rewrite the whole file can also rebuild the whole chain; keyed mode ({@link AuditKey}) closes that.
 */
public final class AuditVerifier {

    private final AuditKey key;

    private AuditVerifier(AuditKey key) {
        this.key = key;
    }

    /** A verifier for unkeyed (SHA-256) logs; a keyed log is reported as {@link Kind#KEY_REQUIRED}. */
    public static AuditVerifier unkeyed() {
        return new AuditVerifier(null);
    }

    /** A verifier for logs keyed with {@code key}; an unkeyed log is reported as {@link Kind#BAD_KEY}. */
    public static AuditVerifier keyed(AuditKey key) {
        return new AuditVerifier(java.util.Objects.requireNonNull(key, "key"));
    }

    public static AuditVerifier of(Optional<AuditKey> key) {
        return new AuditVerifier(key.orElse(null));
    }

    /**
     * Verifies a log file, and its tail against the checkpoint beside it ({@link AuditCheckpoint#beside}) when there
     * is one.
     */
    public VerificationResult verify(Path file) throws IOException {
        Path beside = AuditCheckpoint.beside(file);
        if (Files.isRegularFile(beside)) {
            return verify(file, beside);
        }
        VerificationResult chain = verify(file, null);
        if (chain instanceof VerificationResult.Intact intact
                && RecordFormat.CHECKPOINT_KEPT.equals(genesisDetail(file, "checkpoint"))) {
            // the writer wrote one with the genesis record: gone now, it cannot vouch for the tail
            return new Problem(intact.records(), Kind.TRUNCATED, "the checkpoint " + beside + " is missing, though"
                    + " the log was started with one (deleted, or the log was moved without it): records may have"
                    + " been cut from its end");
        }
        return chain;
    }

    /**
     * Verifies a log file and its tail against {@code checkpoint} (a copy kept elsewhere, or the one beside the log);
     * null: the chain alone.
     */
    public VerificationResult verify(Path file, Path checkpoint) throws IOException {
        AuditCheckpoint head = null;
        if (checkpoint != null) {
            try {
                head = AuditCheckpoint.parse(Files.readString(checkpoint, java.nio.charset.StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return new Problem(1, Kind.TRUNCATED, "the checkpoint " + checkpoint + " is not readable");
            }
        }
        try (InputStream in = Files.newInputStream(file)) {
            return verify(in, head);
        }
    }

    /**
     * Verifies every chain in {@code directory}: each regular file whose name ends with {@code .jsonl} (not in
     * subdirectories), in name order, one replica's chain per file. Beyond each chain's own verdict, two files whose
     * genesis records claim the same replica id are a {@link DirectoryVerification.Conflict}: a copied or forked
     * chain, never two replicas.
     *
     * @throws IOException when the directory or a file in it cannot be read
     */
    public DirectoryVerification verifyDirectory(Path directory) throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(directory)) {
            files = listed.filter(f -> f.getFileName().toString().endsWith(".jsonl") && Files.isRegularFile(f))
                    .sorted().toList();
        }
        List<DirectoryVerification.Chain> chains = new ArrayList<>();
        Map<String, List<Path>> byReplica = new TreeMap<>();
        for (Path f : files) {
            VerificationResult result = verify(f);
            // the replica as claimed: a chain whose genesis was edited still claims it (and fails on its own)
            String replica = genesisDetail(f, "replica");
            chains.add(new DirectoryVerification.Chain(f, Optional.ofNullable(replica), result));
            if (replica != null) {
                byReplica.computeIfAbsent(replica, r -> new ArrayList<>()).add(f);
            }
        }
        List<DirectoryVerification.Conflict> conflicts = new ArrayList<>();
        byReplica.forEach((replica, claimed) -> {
            if (claimed.size() > 1) {
                conflicts.add(new DirectoryVerification.Conflict(replica, claimed));
            }
        });
        return new DirectoryVerification(directory, chains, conflicts);
    }

    /** A detail of the first line's genesis record, or null (none such, or no genesis record to read). */
    private static String genesisDetail(Path file, String name) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Lines lines = new Lines(in);
            if (!lines.next() || lines.overlong) {
                return null;
            }
            RecordFormat.Parsed p = RecordFormat.parse(lines.buffer, lines.length);
            return p != null && p.seq() == 0 && p.isIntegrity(RecordFormat.OUTCOME_GENESIS)
                    ? p.detailText(name) : null;
        }
    }

    /** Verifies a log read from {@code in} (not closed). */
    public VerificationResult verify(InputStream in) throws IOException {
        return verify(in, null);
    }

    /**
     * Verifies a log read from {@code in} (not closed), and that it reaches the record {@code checkpoint} names with
     * the same hash (null: the chain alone).
     */
    public VerificationResult verify(InputStream in, AuditCheckpoint checkpoint) throws IOException {
        VerificationResult chain = chain(in, checkpoint);
        if (checkpoint == null || !(chain instanceof VerificationResult.Intact intact)) {
            return chain;
        }
        if (!checkpoint.verifies(key)) {
            return new Problem(intact.records(), Kind.TRUNCATED, "the checkpoint does not verify"
                    + (key == null ? "" : " with the supplied key") + ": it was forged or damaged");
        }
        if (intact.lastSeq() < checkpoint.seq()) {
            long missing = checkpoint.seq() - intact.lastSeq();
            return new Problem(intact.records(), Kind.TRUNCATED, missing + " record(s) missing from the end: the log"
                    + " ends at seq " + intact.lastSeq() + ", its checkpoint of " + checkpoint.at() + " names seq "
                    + checkpoint.seq());
        }
        return intact;
    }

    private VerificationResult chain(InputStream in, AuditCheckpoint checkpoint) throws IOException {
        Lines lines = new Lines(in);
        RecordFormat.Hasher hasher = null;
        long expectedSeq = 0;
        String prevHash = RecordFormat.ZERO_HASH;
        RecordFormat.Parsed last = null;
        long lineNo = 0;
        while (lines.next()) {
            lineNo++;
            if (!lines.terminated) {
                return new Problem(lineNo, Kind.TORN, "the last line is incomplete (" + lines.length
                        + " bytes without a newline): the writer stopped mid-record, or the file was truncated");
            }
            RecordFormat.Parsed p = lines.overlong ? null : RecordFormat.parse(lines.buffer, lines.length);
            if (p == null) {
                return new Problem(lineNo, Kind.EDITED, "not a well-formed audit record");
            }
            if (hasher == null) {
                if (p.seq() == 0) {
                    Problem keyProblem = checkGenesis(p);
                    if (keyProblem != null) {
                        return keyProblem;
                    }
                }
                hasher = new RecordFormat.Hasher(key);
            }
            if (!hasher.hash(p.body()).equals(p.hash())) {
                return new Problem(lineNo, Kind.EDITED, "the record (seq " + p.seq() + ") does not match its hash");
            }
            if (p.seq() > expectedSeq) {
                long missingFrom = expectedSeq;
                long missingTo = p.seq() - 1;
                String range = missingFrom == missingTo ? "seq " + missingFrom : "seq " + missingFrom + ".." + missingTo;
                if (appearsLater(lines, missingFrom, p.seq())) {
                    return new Problem(lineNo, Kind.REORDERED, "expected seq " + expectedSeq + " but found seq "
                            + p.seq() + "; " + range + " appear(s) later in the file");
                }
                return new Problem(lineNo, Kind.DELETED, (missingTo - missingFrom + 1) + " record(s) missing before"
                        + " this line (" + range + ")" + (lineNo == 1 ? ", including the genesis record" : ""));
            }
            if (p.seq() < expectedSeq) {
                return new Problem(lineNo, Kind.REORDERED, "seq " + p.seq() + " comes after seq " + (expectedSeq - 1)
                        + "; records are out of order or repeated");
            }
            if (!p.prev().equals(prevHash)) {
                if (lineNo == 1) {
                    return new Problem(1, Kind.EDITED, "the genesis record's prev is not " + RecordFormat.ZERO_HASH);
                }
                return new Problem(lineNo - 1, Kind.EDITED, "the record (seq " + (p.seq() - 1) + ") was rewritten:"
                        + " its hash does not match the prev of the next record (line " + lineNo + ")");
            }
            if (checkpoint != null && p.seq() == checkpoint.seq() && !p.hash().equals(checkpoint.hash())) {
                return new Problem(lineNo, Kind.TRUNCATED, "the record (seq " + p.seq() + ") is not the one the"
                        + " checkpoint of " + checkpoint.at() + " names: the tail was cut and rewritten");
            }
            expectedSeq = p.seq() + 1;
            prevHash = p.hash();
            last = p;
        }
        if (last == null) {
            return new Problem(1, Kind.DELETED, "the log is empty: its genesis record is missing");
        }
        return new VerificationResult.Intact(lineNo, last.seq(), last.hash(), key != null,
                last.isIntegrity(RecordFormat.OUTCOME_CLOSED),
                checkpoint != null && last.seq() >= checkpoint.seq() ? checkpoint.seq() : -1);
    }

    private Problem checkGenesis(RecordFormat.Parsed genesis) {
        if (!genesis.isIntegrity(RecordFormat.OUTCOME_GENESIS)) {
            return new Problem(1, Kind.EDITED, "the first record (seq 0) is not a genesis record");
        }
        String alg = genesis.detailText("alg");
        String keyId = genesis.detailText("keyId");
        if (RecordFormat.ALG_KEYED.equals(alg)) {
            if (key == null) {
                return new Problem(1, Kind.KEY_REQUIRED, "the log is keyed (key id " + keyId + "); supply its key");
            }
            if (!key.id().equals(keyId)) {
                return new Problem(1, Kind.BAD_KEY, "the log was written with key id " + keyId
                        + ", the supplied key has id " + key.id());
            }
            return null;
        }
        if (RecordFormat.ALG_PLAIN.equals(alg)) {
            if (key != null) {
                return new Problem(1, Kind.BAD_KEY, "the log is not keyed, but a key was supplied: an unkeyed chain"
                        + " can be rebuilt by anyone who can write the file");
            }
            return null;
        }
        return new Problem(1, Kind.EDITED, "the genesis record names an unknown algorithm: " + alg);
    }

    /** Reads on to the end, looking for a record whose seq lies in [from, to). */
    private static boolean appearsLater(Lines lines, long from, long to) throws IOException {
        while (lines.next()) {
            RecordFormat.Parsed p = lines.overlong ? null : RecordFormat.parse(lines.buffer, lines.length);
            if (p != null && p.seq() >= from && p.seq() < to) {
                return true;
            }
        }
        return false;
    }

    /** Splits a stream into lines of bytes, bounded in length. */
    private static final class Lines {
        private static final int MAX = AuditLogOptions.MAX_RECORD_BYTES_LIMIT;

        private final InputStream in;
        private final byte[] chunk = new byte[64 * 1024];
        private int chunkPos;
        private int chunkEnd;
        private boolean eof;
        byte[] buffer = new byte[8192];
        int length;
        boolean terminated;
        boolean overlong;

        Lines(InputStream in) {
            this.in = in;
        }

        /** Reads the next line; false at the end of the stream. */
        boolean next() throws IOException {
            length = 0;
            overlong = false;
            terminated = false;
            boolean any = false;
            while (true) {
                if (chunkPos == chunkEnd) {
                    if (eof || !fill()) {
                        return any;
                    }
                }
                any = true;
                int nl = -1;
                for (int i = chunkPos; i < chunkEnd; i++) {
                    if (chunk[i] == '\n') {
                        nl = i;
                        break;
                    }
                }
                int end = nl < 0 ? chunkEnd : nl;
                add(chunkPos, end - chunkPos);
                if (nl >= 0) {
                    chunkPos = nl + 1;
                    terminated = true;
                    return true;
                }
                chunkPos = chunkEnd;
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(chunk, 0, chunk.length);
            if (n <= 0) {
                eof = n < 0;
                chunkPos = 0;
                chunkEnd = 0;
                return !eof && fill();
            }
            chunkPos = 0;
            chunkEnd = n;
            return true;
        }

        private void add(int from, int n) {
            if (overlong || length + n > MAX) {
                overlong = true;
                length = (int) Math.min(Integer.MAX_VALUE, (long) length + n);
                return;
            }
            if (length + n > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(length + n, Math.min(MAX, buffer.length * 2)));
            }
            System.arraycopy(chunk, from, buffer, length, n);
            length += n;
        }
    }
}
