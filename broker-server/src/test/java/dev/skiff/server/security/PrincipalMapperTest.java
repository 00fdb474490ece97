package dev.skiff.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Kafka's ssl.principal.mapping.rules, as its documentation gives them. */
class PrincipalMapperTest {

    @Test
    void defaultKeepsTheWholeName() {
        assertEquals("CN=alice,OU=eng", PrincipalMapper.parse("DEFAULT").map("CN=alice,OU=eng"));
        assertEquals("CN=alice", PrincipalMapper.parse(null).map("CN=alice"));
    }

    @Test
    void rulesApplyInOrderWithCaseFlags() {
        PrincipalMapper m = PrincipalMapper.parse(
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,"
                        + "RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U,DEFAULT");
        assertEquals("kafka1", m.map("CN=kafka1,OU=ServiceUsers,O=Org"));
        assertEquals("duke@sales", m.map("CN=Duke,OU=SALES,O=Org,L=x,ST=y,C=z"));
        assertEquals("ADMIN", m.map("O=x,CN=admin,C=z"));
        assertEquals("O=x", m.map("O=x"));
    }

    @Test
    void noMatchingRuleNamesNobody() {
        assertNull(PrincipalMapper.parse("RULE:^CN=(.*)$/$1/").map("O=nobody"));
    }
}
