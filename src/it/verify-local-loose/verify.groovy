import groovy.json.JsonSlurper

def reports = new File(basedir, 'target/prune/reports')
def r = new JsonSlurper().parse(new File(reports, 'verify.json'))
assert r.map50 >= 0.3 : "map50 ${r.map50}"
assert r.budgets.size() == 3 && r.budgets.every { it.passed }
assert r.latency.median > 0 && r.frame.median >= r.latency.median
assert r.memory.peakMb > 50
assert ['openvino', 'onnxruntime', 'djl'].contains(r.backend)
assert new File(reports, 'verify.html').text.contains('<svg')
def junit = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File(reports, 'TEST-prune-verify.xml'))
assert junit.documentElement.getAttribute('failures') == '0'
def log = new File(basedir, 'build.log').text
assert log.contains('PASSED')
return true
