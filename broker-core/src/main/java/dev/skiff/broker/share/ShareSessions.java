package dev.skiff.broker.share;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Share sessions (KIP-932), in the simplest form the share consumer accepts: one per group member, holding the
 * share partitions it fetches. Epoch 0 opens one (replacing the member's previous one), -1 closes it, any other
 * must be the next epoch of an open session (else SHARE_SESSION_NOT_FOUND or INVALID_SHARE_SESSION_EPOCH); each
 * request moves it on by one. Fetch sessions' incremental adds and forgets apply.
 */
final class ShareSessions {

    /** One member's session: the share partitions it fetches and the epoch its next request must carry. */
    static final class Session {
        final String groupId;
        final String memberId;
        int nextEpoch = 1;
        final Set<SharePartitionKey> partitions = new LinkedHashSet<>();
        long lastUsed;

        Session(String groupId, String memberId) {
            this.groupId = groupId;
            this.memberId = memberId;
        }
    }

    private final int maxSessions;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    ShareSessions(int maxSessions) {
        this.maxSessions = maxSessions;
    }

    private static String id(String groupId, String memberId) {
        return groupId + '\0' + memberId;
    }

    /** Opens a session (epoch 0); SHARE_SESSION_LIMIT_REACHED when the broker holds as many as it may. */
    synchronized Session open(String groupId, String memberId, long now) {
        String id = id(groupId, memberId);
        if (!sessions.containsKey(id) && sessions.size() >= maxSessions)
            throw new ApiException(
                    Errors.SHARE_SESSION_LIMIT_REACHED,
                    "The broker holds its maximum of " + maxSessions + " share sessions");
        Session s = new Session(groupId, memberId);
        s.lastUsed = now;
        sessions.put(id, s);
        return s;
    }

    /** The session a request of epoch {@code epoch} (not 0) continues; its epoch moves on unless it closes (-1). */
    synchronized Session next(String groupId, String memberId, int epoch, long now) {
        Session s = sessions.get(id(groupId, memberId));
        if (s == null)
            throw new ApiException(Errors.SHARE_SESSION_NOT_FOUND, "No share session for member " + memberId);
        if (epoch != -1) {
            if (epoch != s.nextEpoch)
                throw new ApiException(
                        Errors.INVALID_SHARE_SESSION_EPOCH,
                        "The share session epoch " + epoch + " is not the expected " + s.nextEpoch);
            s.nextEpoch = s.nextEpoch == Integer.MAX_VALUE ? 1 : s.nextEpoch + 1;
        }
        s.lastUsed = now;
        return s;
    }

    synchronized Session remove(String groupId, String memberId) {
        return sessions.remove(id(groupId, memberId));
    }

    /** Sessions unused for {@code idleMs} whose member is not in its group any more. */
    synchronized List<Session> idle(long now, long idleMs, java.util.function.BiPredicate<String, String> isMember) {
        List<Session> out = new ArrayList<>();
        for (Session s : sessions.values())
            if (s.lastUsed + idleMs <= now && !isMember.test(s.groupId, s.memberId)) out.add(s);
        return out;
    }

    synchronized Collection<Session> all() {
        return List.copyOf(sessions.values());
    }
}
