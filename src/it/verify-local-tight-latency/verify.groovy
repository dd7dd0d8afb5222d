import groovy.json.JsonSlurper

def log = new File(basedir, 'build.log').text
assert log.contains('a budget was missed') : 'the failure does not say a budget was missed'
assert log =~ /latency \(median\)\s+<= 0\.001 ms\s+[0-9.]+ ms\s+FAILED/ : 'the table does not name the latency budget'
assert log.contains('verify.html') : 'the failure does not give the report path'
def r = new JsonSlurper().parse(new File(basedir, 'target/prune/reports/verify.json'))
def latency = r.budgets.find { it.metric == 'latencyMs' }
assert latency != null && !latency.passed
assert r.budgets.find { it.metric == 'map50' }.passed
def junit = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File(basedir, 'target/prune/reports/TEST-prune-verify.xml'))
assert junit.documentElement.getAttribute('failures') == '1'
return true
