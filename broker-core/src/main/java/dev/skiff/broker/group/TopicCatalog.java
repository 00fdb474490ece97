package dev.skiff.broker.group;

import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.List;

/** The topics a consumer group's subscriptions resolve against: name, id, partition count. */
interface TopicCatalog {

    record TopicInfo(String name, Uuid id, int partitions, boolean internal) {}

    TopicInfo byName(String name);

    TopicInfo byId(Uuid id);

    List<TopicInfo> all();

    /** A count of the topics created, grown and deleted so far: it moving means expressions may match others. */
    long version();

    static TopicCatalog of(TopicManager topics) {
        java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
        topics.addListener(new TopicManager.Listener() {
            @Override
            public void topicCreated(Topic topic) {
                changes.incrementAndGet();
            }

            @Override
            public void topicDeleted(Topic topic) {
                changes.incrementAndGet();
            }
        });
        return new TopicCatalog() {
            @Override
            public long version() {
                return changes.get();
            }

            @Override
            public TopicInfo byName(String name) {
                return info(topics.get(name));
            }

            @Override
            public TopicInfo byId(Uuid id) {
                return info(topics.get(id));
            }

            @Override
            public List<TopicInfo> all() {
                List<TopicInfo> out = new ArrayList<>();
                for (Topic t : topics.all()) out.add(info(t));
                return out;
            }

            private TopicInfo info(Topic t) {
                return t == null
                        ? null
                        : new TopicInfo(t.name(), t.id(), t.partitions().size(), t.internal());
            }
        };
    }
}
