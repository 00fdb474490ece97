package dev.skiff.broker.security.sasl;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.broker.security.SaslAuthenticationException;
import dev.skiff.broker.security.SaslExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The server side of SCRAM-SHA-256 / SCRAM-SHA-512 as Kafka runs it (RFC 5802, RFC 7677), in two round trips:
 *
 * <ol>
 * <li>client-first {@code n,[a=authzid],n=user,r=cnonce[,ext=value...]}: only the gs2 header "n" (no channel
 *     binding); an authzid must equal the user; the {@code tokenauth} extension (delegation tokens) is refused,
 *     other extensions are ignored, as Kafka ignores the ones it does not know. The answer is server-first
 *     {@code r=cnonce+snonce,s=salt,i=iterations}.
 * <li>client-final {@code c=biws,r=cnonce+snonce,p=proof}: the channel binding must repeat the gs2 header, the
 *     nonce must be exactly the server-first nonce (Kafka 4.x refuses a nonce that merely ends with it, which is
 *     what librdkafka before 2.6.1 sends), and the proof must check against StoredKey. The answer is
 *     server-final {@code v=signature}, and the exchange is complete.
 * </ol>
 *
 * <p>An unknown user gets a server-first like any other (a salt derived from the name with a per-process secret)
 * and fails at the proof, with the same message as a wrong password: the exchange does not tell which users exist.
 * Every refusal but an authzid mismatch carries Kafka's generic message for failed SASL exchanges; proofs are
 * compared in constant time.
 */
public final class ScramExchange implements SaslExchange {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Keys the salts of unknown users, so that a name always gets the same salt within this process. */
    private static final byte[] UNKNOWN_USER_SECRET = randomBytes(32);

    /**
     * The parts of the grammar, checked one attribute at a time: each pattern is a single character class
     * repeated, which Java's regex engine matches in a loop. Whole-message patterns with repeated groups
     * ({@code (?:x|=2C|=3D)+}, {@code (,ext=v)*}) recurse once per repetition and overflow the stack on a
     * token of a few hundred KiB, which an unauthenticated client may send.
     */
    private static final Pattern NAME_CHARS = Pattern.compile("[\\x01-\\x7F&&[^,]]+");

    private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7E&&[^,]]+");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*={0,2}");
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z]+=[\\x01-\\x7F&&[^,]]*");

    private enum State {
        CLIENT_FIRST,
        CLIENT_FINAL,
        COMPLETE,
        FAILED
    }

    private final ScramMechanism mechanism;
    private final ScramCredentialLookup credentials;
    private final int defaultIterations;
    private final String failure;
    private final Supplier<String> serverNonce;
    private State state = State.CLIENT_FIRST;
    private String username;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private ScramCredential credential;
    private KafkaPrincipal principal;

    /**
     * @param defaultIterations the iteration count shown for unknown users (the broker's default, so that
     *     unknown users look like the users created with it)
     */
    public ScramExchange(ScramMechanism mechanism, ScramCredentialLookup credentials, int defaultIterations) {
        this(mechanism, credentials, defaultIterations, ScramExchange::randomNonce);
    }

    /** With the server's part of the nonce chosen by the caller (RFC test vectors). */
    ScramExchange(
            ScramMechanism mechanism,
            ScramCredentialLookup credentials,
            int defaultIterations,
            Supplier<String> serverNonce) {
        this.serverNonce = serverNonce;
        this.mechanism = mechanism;
        this.credentials = credentials;
        this.defaultIterations = Math.max(ScramMechanism.MIN_ITERATIONS, defaultIterations);
        this.failure = "Authentication failed during authentication due to invalid credentials with SASL mechanism "
                + mechanism.mechanismName();
    }

    @Override
    public byte[] evaluate(byte[] clientToken) throws SaslAuthenticationException {
        try {
            return switch (state) {
                case CLIENT_FIRST -> clientFirst(clientToken);
                case CLIENT_FINAL -> clientFinal(clientToken);
                case COMPLETE, FAILED -> throw fail(failure);
            };
        } catch (SaslAuthenticationException e) {
            state = State.FAILED;
            throw e;
        }
    }

    private byte[] clientFirst(byte[] token) throws SaslAuthenticationException {
        // gs2 header "n,[a=authzid]," then the bare message "n=saslname,r=nonce[,ext=value...]"
        String message = ascii(token);
        if (!message.startsWith("n,")) throw fail(failure);
        int headerEnd = message.indexOf(',', 2);
        if (headerEnd < 0) throw fail(failure);
        String authzid = null;
        if (headerEnd > 2) {
            if (!message.startsWith("a=", 2) || !saslName(message.substring(4, headerEnd))) throw fail(failure);
            authzid = message.substring(4, headerEnd);
        }
        String bare = message.substring(headerEnd + 1);
        String[] attributes = bare.split(",", -1);
        if (attributes.length < 2
                || !attributes[0].startsWith("n=")
                || !saslName(attributes[0].substring(2))
                || !attributes[1].startsWith("r=")
                || !PRINTABLE
                        .matcher(attributes[1])
                        .region(2, attributes[1].length())
                        .matches()) throw fail(failure);
        for (int i = 2; i < attributes.length; i++) {
            if (!EXTENSION.matcher(attributes[i]).matches()) throw fail(failure);
        }
        username = unescape(attributes[0].substring(2));
        if (authzid != null && !unescape(authzid).equals(username))
            throw fail("Authentication failed: Client requested an authorization id that is different from username");
        for (int i = 2; i < attributes.length; i++) {
            if (attributes[i].startsWith("tokenauth=")) throw fail(failure); // Skiff has no delegation tokens
        }
        gs2Header = message.substring(0, headerEnd + 1);
        clientFirstBare = bare;
        credential = credentials.get(username, mechanism);
        if (credential == null) credential = unknownUser(username);
        if (credential.iterations() < ScramMechanism.MIN_ITERATIONS) throw fail(failure);
        nonce = attributes[1].substring(2) + serverNonce.get();
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credential.salt()) + ",i="
                + credential.iterations();
        state = State.CLIENT_FINAL;
        return serverFirst.getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] clientFinal(byte[] token) throws SaslAuthenticationException {
        // "c=channel-binding,r=nonce[,ext=value...],p=proof"
        String message = ascii(token);
        String[] attributes = message.split(",", -1);
        int last = attributes.length - 1;
        if (attributes.length < 3
                || !attributes[0].startsWith("c=")
                || !attributes[1].startsWith("r=")
                || !PRINTABLE
                        .matcher(attributes[1])
                        .region(2, attributes[1].length())
                        .matches()
                || !attributes[last].startsWith("p=")) throw fail(failure);
        for (int i = 2; i < last; i++) {
            if (!EXTENSION.matcher(attributes[i]).matches()) throw fail(failure);
        }
        String channel = new String(base64(attributes[0].substring(2)), StandardCharsets.ISO_8859_1);
        if (!channel.equals(gs2Header)) throw fail(failure);
        if (!attributes[1].substring(2).equals(nonce)) throw fail(failure);
        byte[] proof = base64(attributes[last].substring(2));
        String withoutProof = message.substring(0, message.length() - attributes[last].length() - 1);
        byte[] authMessage =
                (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.US_ASCII);
        byte[] storedKey = credential.storedKey();
        byte[] clientSignature = mechanism.hmac(storedKey, authMessage);
        boolean lengthOk = proof.length == clientSignature.length;
        byte[] clientKey = new byte[clientSignature.length];
        for (int i = 0; i < clientKey.length; i++)
            clientKey[i] = (byte) ((lengthOk ? proof[i] : 0) ^ clientSignature[i]);
        boolean proofOk = MessageDigest.isEqual(mechanism.hash(clientKey), storedKey);
        if (!(proofOk & lengthOk)) throw fail(failure);
        byte[] serverSignature = mechanism.hmac(credential.serverKey(), authMessage);
        principal = KafkaPrincipal.user(username);
        state = State.COMPLETE;
        return ("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public boolean complete() {
        return state == State.COMPLETE;
    }

    @Override
    public KafkaPrincipal principal() {
        if (state != State.COMPLETE) throw new IllegalStateException("Authentication exchange has not completed");
        return principal;
    }

    /** A credential no password matches, with a salt that stays the same for the name. */
    private ScramCredential unknownUser(String name) {
        byte[] seed = mechanism.hmac(UNKNOWN_USER_SECRET, name.getBytes(StandardCharsets.UTF_8));
        byte[] salt = java.util.Arrays.copyOf(seed, 24);
        return new ScramCredential(
                salt, randomBytes(mechanism.hashLength()), randomBytes(mechanism.hashLength()), defaultIterations);
    }

    /** Only ASCII is allowed in SCRAM messages; anything else cannot match the patterns. */
    private static String ascii(byte[] token) {
        return new String(token, StandardCharsets.ISO_8859_1);
    }

    /** A SCRAM sasl-name: ASCII without NUL or ',', and '=' only in the escapes =2C and =3D. */
    private static boolean saslName(String s) {
        if (!NAME_CHARS.matcher(s).matches()) return false;
        for (int i = s.indexOf('='); i >= 0; i = s.indexOf('=', i + 1)) {
            if (!s.startsWith("=2C", i) && !s.startsWith("=3D", i)) return false;
        }
        return true;
    }

    /** Strict base64 (the alphabet, padding only at the end, whole quanta), else the exchange fails. */
    private byte[] base64(String s) throws SaslAuthenticationException {
        if (s.length() % 4 != 0 || !BASE64.matcher(s).matches()) throw fail(failure);
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw fail(failure);
        }
    }

    /** A SCRAM sasl-name with =2C and =3D undone (RFC 5802 section 5.1). */
    static String unescape(String saslName) {
        return saslName.replace("=2C", ",").replace("=3D", "=");
    }

    private static String randomNonce() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(24));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static SaslAuthenticationException fail(String message) {
        return new SaslAuthenticationException(message);
    }
}
