package dev.skiff.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.StandardMBean;
import org.junit.jupiter.api.Test;

/** A gauge read through an MBean server as a JMX tool reads it: the attribute Kafka's gauges have, live values. */
class JmxGaugeTest {

    /** The shape of Kafka's Yammer gauge, for the MBeanInfo a StandardMBean derives from it. */
    public interface KafkaGaugeMBean {
        Object getValue();
    }

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();

    @Test
    void readsTheCurrentValueUnderKafkasAttribute() throws Exception {
        AtomicLong end = new AtomicLong(3);
        ObjectName name = new ObjectName("kafka.log:type=Log,name=LogEndOffset,topic=t,partition=0");
        server.registerMBean(new JmxMetrics.Gauge(end::get), name);

        assertEquals(3L, server.getAttribute(name, "Value"));
        end.set(42);
        assertEquals(42L, server.getAttribute(name, "Value"));
        AttributeList some = server.getAttributes(name, new String[] {"Value", "Count"});
        assertEquals(1, some.size(), "only the attribute a gauge has");
        assertEquals(new Attribute("Value", 42L), some.asList().get(0));
    }

    @Test
    void describesItselfAsAStandardMBeanOfKafkasGaugeWould() throws Exception {
        ObjectName ours = new ObjectName("test:name=ours");
        ObjectName standard = new ObjectName("test:name=standard");
        server.registerMBean(new JmxMetrics.Gauge(() -> 1), ours);
        server.registerMBean(new StandardMBean((KafkaGaugeMBean) () -> 1, KafkaGaugeMBean.class), standard);

        MBeanAttributeInfo[] got = server.getMBeanInfo(ours).getAttributes();
        MBeanAttributeInfo[] want = server.getMBeanInfo(standard).getAttributes();
        assertEquals(1, got.length);
        assertEquals(want[0].getName(), got[0].getName());
        assertEquals(want[0].getType(), got[0].getType());
        assertEquals(want[0].isReadable(), got[0].isReadable());
        assertEquals(want[0].isWritable(), got[0].isWritable());
        assertEquals(want[0].isIs(), got[0].isIs());
    }

    @Test
    void sharesOneDescriptionAmongAllGauges() {
        assertSame(new JmxMetrics.Gauge(() -> 1).getMBeanInfo(), new JmxMetrics.Gauge(() -> 2).getMBeanInfo());
    }

    @Test
    void refusesWhatAGaugeDoesNotHave() throws Exception {
        ObjectName name = new ObjectName("test:name=gauge");
        server.registerMBean(new JmxMetrics.Gauge(() -> 7), name);

        assertThrows(AttributeNotFoundException.class, () -> server.getAttribute(name, "Count"));
        AttributeNotFoundException readOnly = assertThrows(
                AttributeNotFoundException.class, () -> server.setAttribute(name, new Attribute("Value", 8)));
        assertTrue(readOnly.getMessage().contains("Read-only"), readOnly.getMessage());
        assertTrue(server.setAttributes(name, new AttributeList(java.util.List.of(new Attribute("Value", 8))))
                .isEmpty());
        assertEquals(7, server.getAttribute(name, "Value"));
        assertThrows(ReflectionException.class, () -> server.invoke(name, "reset", null, null));
        assertFalse(server.isInstanceOf(name, StandardMBean.class.getName()));
    }
}
