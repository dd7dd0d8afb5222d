def repo = new File(localRepositoryPath, 'it/edgeprune/detector-app/1.0')
def xml = new File(repo, 'detector-app-1.0-openvino.xml')
def bin = new File(repo, 'detector-app-1.0-openvino.bin')
assert xml.isFile() : "the IR xml was not installed: ${repo.list()}"
assert bin.isFile() && bin.length() > 1_000_000 : "the IR bin was not installed"
assert new File(repo, 'detector-app-1.0-openvino.onnx').isFile() : "the ONNX twin was not installed"
assert xml.text.contains('<net name=') && xml.text.contains('version="11"')

def bundle = new File(basedir, 'target/prune/static')
assert new File(bundle, 'weights.safetensors').isFile()
def record = new groovy.json.JsonSlurper().parse(new File(bundle, 'prune.json'))
assert String.format('%.2f', record.convSparsity * 100) == '20.00'
assert String.format('%.2f', record.bnSparsity * 100) == '9.91'
assert new File(basedir, 'target/prune/openvino/metadata.yaml').isFile()

def log = new File(basedir, 'build.log').text
assert log.contains('Static pruning: Model pruned to 20.00% Conv2d global sparsity')
assert log.contains('is up to date (model and settings unchanged), skipping prune-static') : 'second build did not skip prune-static'
assert log.contains('IR is up to date (inputs and settings unchanged), skipping export') : 'second build did not skip the export'
return true
