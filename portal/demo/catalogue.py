"""The demo archive's people and studies: invented, but written to read like real entries."""

from dataclasses import dataclass

HELA = "Homo sapiens"
MOUSE = "Mus musculus"
ZEBRAFISH = "Danio rerio"
ARABIDOPSIS = "Arabidopsis thaliana"
FLY = "Drosophila melanogaster"
YEAST = "Saccharomyces cerevisiae"
WORM = "Caenorhabditis elegans"

CONFOCAL = "confocal microscopy"
LIGHT_SHEET = "light-sheet fluorescence microscopy"
TEM = "transmission electron microscopy"
SBF_SEM = "serial block-face SEM"
WIDEFIELD = "widefield fluorescence microscopy"
STED = "super-resolution (STED)"

# Authors; the ORCID iDs are the public example iDs from ORCID's own documentation.
PEOPLE = [
    {"name": "Alice Marchetti", "affiliation": "EMBL Heidelberg", "orcid": "0000-0002-1825-0097"},
    {"name": "Tomás Okafor", "affiliation": "The Francis Crick Institute"},
    {
        "name": "Mei-Ling Zhou",
        "affiliation": "MPI of Molecular Cell Biology and Genetics",
        "orcid": "0000-0001-5109-3700",
    },
    {"name": "Jonas Lindqvist", "affiliation": "SciLifeLab, Stockholm"},
    {"name": "Priya Raman", "affiliation": "Gurdon Institute, University of Cambridge"},
    {"name": "Hannah Weiss", "affiliation": "Institut Pasteur"},
    {"name": "Kwame Mensah", "affiliation": "Wellcome Sanger Institute"},
    {"name": "Sofia Almeida", "affiliation": "Instituto Gulbenkian de Ciência"},
    {"name": "Lukas Brenner", "affiliation": "ETH Zürich", "orcid": "0000-0002-1694-233X"},
    {"name": "Yuki Tanaka", "affiliation": "RIKEN Center for Biosystems Dynamics Research"},
    {"name": "Olivia Grant", "affiliation": "Janelia Research Campus"},
    {"name": "Rafael Ortega", "affiliation": "CNIO, Madrid"},
    {"name": "Ingrid Solberg", "affiliation": "University of Oslo"},
    {"name": "David Cohen", "affiliation": "Weizmann Institute of Science"},
]


@dataclass(frozen=True)
class DemoStudy:
    """One demo study and what happens to it after accessioning.

    `fate` is released, confidential, hidden, obsolete or removed; `reason` is
    the curator's reason category for the last three. `revision` (a note)
    gives the study a second version; `source_id` makes it an EMPIAR import.
    """

    title: str
    description: str
    organism: str
    imaging_method: str
    keywords: tuple[str, ...]
    authors: tuple[int, ...]
    owner: str = "alice"
    fate: str = "released"
    reason: str = ""
    note: str = ""
    revision: str = ""
    source_id: str = ""
    shared_with: str = ""


STUDIES = [
    DemoStudy(
        "Mitochondrial network remodelling during mitosis in HeLa cells",
        "Live-cell confocal time-lapse of HeLa cells stained with TMRM, following mitochondrial fragmentation at "
        "prophase and refusion after cytokinesis. Each field of view was imaged every 30 s for 2 h.",
        HELA,
        CONFOCAL,
        ("mitochondria", "mitosis", "live imaging", "HeLa", "TMRM"),
        (0, 1),
        revision="Added the second imaging channel and corrected the frame interval in the description.",
    ),
    DemoStudy(
        "Nuclear envelope rupture after confined migration of HeLa cells",
        "HeLa cells expressing NLS-GFP migrating through 3 µm constrictions; rupture events are visible as "
        "transient cytoplasmic GFP. Widefield images every 2 min.",
        HELA,
        WIDEFIELD,
        ("nuclear envelope", "cell migration", "confinement", "HeLa"),
        (1, 4),
        fate="obsolete",
        reason="superseded",
        note="Superseded by a re-acquisition with corrected stage calibration.",
    ),
    DemoStudy(
        "STED nanoscopy of nuclear pore complexes in HeLa cells",
        "Two-colour STED images of Nup153 and Nup62 immunostaining in fixed HeLa nuclei, resolving the eightfold "
        "ring of individual nuclear pore complexes.",
        HELA,
        STED,
        ("nuclear pore complex", "nucleoporins", "nanoscopy", "HeLa"),
        (2, 8),
        owner="bob",
    ),
    DemoStudy(
        "Arrayed siRNA screen for Golgi fragmentation in HeLa cells (plate subset)",
        "Widefield images of GM130 and DAPI from four 384-well plates of a genome-wide siRNA screen; wells are "
        "named by plate and position. Hit calling is described in the accompanying manuscript.",
        HELA,
        WIDEFIELD,
        ("high-content screening", "Golgi", "siRNA", "HeLa"),
        (6, 3),
        fate="confidential",
    ),
    DemoStudy(
        "53BP1 and γH2AX foci after ionising radiation in U2OS cells",
        "Confocal stacks of U2OS cells fixed 0.5, 2, 6 and 24 h after 2 Gy X-ray irradiation and stained for "
        "53BP1 and γH2AX, for counting DNA double-strand break repair foci.",
        HELA,
        CONFOCAL,
        ("DNA damage", "53BP1", "γH2AX", "U2OS", "DNA repair"),
        (11, 7),
    ),
    DemoStudy(
        "Stress granule assembly under arsenite in U2OS cells",
        "U2OS G3BP1-GFP knock-in cells treated with 0.5 mM sodium arsenite; widefield images every minute show "
        "granule nucleation, growth and fusion.",
        HELA,
        WIDEFIELD,
        ("stress granules", "phase separation", "G3BP1", "U2OS"),
        (5, 13),
        owner="bob",
        fate="hidden",
        reason="duplicate",
        note="Deposited twice; the other accession is the reference entry.",
    ),
    DemoStudy(
        "Actin cortex architecture in U2OS cells imaged by STED",
        "Phalloidin-stained cortical actin at the basal surface of U2OS cells, imaged by STED at about 40 nm "
        "resolution, with matched confocal reference images.",
        HELA,
        STED,
        ("actin", "cell cortex", "cytoskeleton", "U2OS"),
        (8, 10),
    ),
    DemoStudy(
        "Focal adhesion turnover in migrating U2OS cells",
        "Paxillin-mCherry U2OS cells on fibronectin imaged by spinning-disk confocal microscopy every 15 s, for "
        "measuring focal adhesion assembly and disassembly rates.",
        HELA,
        CONFOCAL,
        ("focal adhesions", "paxillin", "cell migration", "U2OS"),
        (12, 1),
        fate="removed",
        reason="retraction",
        note="The associated article was retracted by the journal.",
    ),
    DemoStudy(
        "Whole-brain vasculature of the cleared adult mouse brain",
        "iDISCO-cleared adult C57BL/6 mouse brain, lectin-perfused and imaged by light-sheet microscopy at "
        "isotropic 4 µm; the tiles provided here are a representative subset of the full volume.",
        MOUSE,
        LIGHT_SHEET,
        ("vasculature", "tissue clearing", "iDISCO", "brain"),
        (10, 3),
        owner="bob",
        revision="Added stitched maximum-intensity projections for each hemisphere.",
    ),
    DemoStudy(
        "Dendritic spine morphology in mouse hippocampal CA1",
        "Confocal stacks of Thy1-GFP-M dendrites in stratum radiatum of CA1, from adult mice after environmental "
        "enrichment or standard housing, for spine density and head-volume analysis.",
        MOUSE,
        CONFOCAL,
        ("dendritic spines", "hippocampus", "synaptic plasticity", "Thy1-GFP"),
        (4, 12),
    ),
    DemoStudy(
        "Budding of mouse intestinal organoids over five days",
        "Light-sheet time-lapse of Lgr5-EGFP small intestinal organoids grown from single crypts, imaged every "
        "20 min from day 1 to day 5 of culture.",
        MOUSE,
        LIGHT_SHEET,
        ("organoids", "intestinal stem cells", "Lgr5", "time-lapse"),
        (7, 2),
    ),
    DemoStudy(
        "Synaptic vesicle pools at the mouse neuromuscular junction",
        "Transmission electron micrographs of levator auris longus terminals after high-frequency stimulation, "
        "with FM1-43 photoconversion marking recycled vesicles.",
        MOUSE,
        TEM,
        ("synaptic vesicles", "neuromuscular junction", "endocytosis", "ultrastructure"),
        (13, 5),
        owner="bob",
    ),
    DemoStudy(
        "Layer 4 of the mouse somatosensory cortex by serial block-face SEM",
        "A 100 × 100 × 80 µm block of barrel cortex layer 4, stained with rOTO and imaged at 8 × 8 × 30 nm for "
        "dense reconstruction of thalamocortical synapses.",
        MOUSE,
        SBF_SEM,
        ("connectomics", "cortex", "synapses", "volume EM"),
        (3, 10),
    ),
    DemoStudy(
        "Ultrastructure of the glomerular filtration barrier in mouse kidney",
        "TEM of podocyte foot processes and the glomerular basement membrane in wild-type and Nphs2 knockout mice "
        "at 3 and 6 weeks of age.",
        MOUSE,
        TEM,
        ("kidney", "podocytes", "glomerulus", "basement membrane"),
        (6, 11),
        fate="obsolete",
        reason="superseded",
        note="Replaced by a larger cohort deposited as a new study.",
    ),
    DemoStudy(
        "Zebrafish heart regeneration after cryoinjury",
        "Light-sheet volumes of myl7:GFP; fli1a:dsRed hearts at 3, 7, 14 and 30 days after ventricular "
        "cryoinjury, showing cardiomyocyte and endothelial repopulation of the wound.",
        ZEBRAFISH,
        LIGHT_SHEET,
        ("heart regeneration", "cardiomyocytes", "cryoinjury", "zebrafish"),
        (7, 0),
        revision="Added the 30-day time point.",
    ),
    DemoStudy(
        "Cranial neural crest migration in zebrafish embryos",
        "sox10:EGFP embryos imaged from 14 to 24 hpf by multi-view light-sheet microscopy, for tracking neural "
        "crest streams into the pharyngeal arches.",
        ZEBRAFISH,
        LIGHT_SHEET,
        ("neural crest", "cell tracking", "sox10", "embryo"),
        (9, 2),
        owner="bob",
    ),
    DemoStudy(
        "Hair cell regeneration in lateral line neuromasts of zebrafish larvae",
        "Confocal time-lapse of myo6b:GFP neuromasts after neomycin ablation at 5 dpf, following support cell "
        "divisions that replace lost hair cells over 48 h.",
        ZEBRAFISH,
        CONFOCAL,
        ("hair cells", "lateral line", "regeneration", "neomycin"),
        (4, 6),
    ),
    DemoStudy(
        "Photoreceptor outer segment ultrastructure in the zebrafish retina",
        "TEM of cone and rod outer segments from 7 dpf wild-type and cep290 mutant larvae, showing disc stacking "
        "defects in the mutant.",
        ZEBRAFISH,
        TEM,
        ("retina", "photoreceptors", "cilia", "cep290"),
        (13, 8),
    ),
    DemoStudy(
        "Whole-brain calcium imaging of larval zebrafish during prey capture",
        "elavl3:H2B-GCaMP6s larvae imaged by light-sheet microscopy at 2 volumes per second during "
        "paramecium hunting, with tail tracking from a synchronised behaviour camera.",
        ZEBRAFISH,
        LIGHT_SHEET,
        ("calcium imaging", "GCaMP6s", "behaviour", "neuroscience"),
        (10, 9),
        fate="confidential",
    ),
    DemoStudy(
        "Cell division patterns in the Arabidopsis thaliana root meristem",
        "Confocal stacks of propidium-iodide stained roots of Col-0 seedlings at 5 days after germination, with "
        "segmented cell outlines for tracing formative divisions.",
        ARABIDOPSIS,
        CONFOCAL,
        ("root meristem", "cell division", "plant development", "Col-0"),
        (3, 12),
        revision="Added cell segmentation masks for every stack.",
    ),
    DemoStudy(
        "Stomatal lineage progression on Arabidopsis cotyledons",
        "Time-lapse confocal imaging of SPCHpro:SPCH-GFP and a plasma membrane marker on abaxial cotyledons, "
        "imaged every 12 h for four days.",
        ARABIDOPSIS,
        CONFOCAL,
        ("stomata", "SPEECHLESS", "asymmetric division", "epidermis"),
        (2, 11),
        owner="bob",
    ),
    DemoStudy(
        "Growth of the Arabidopsis shoot apical meristem by light-sheet microscopy",
        "Live pUBQ10::myr-YFP shoot apices imaged for 72 h in a light-sheet microscope with upright sample "
        "mounting, for cell growth and division tracking.",
        ARABIDOPSIS,
        LIGHT_SHEET,
        ("shoot apical meristem", "morphogenesis", "live imaging"),
        (0, 9),
        fate="confidential",
        shared_with="bob",
    ),
    DemoStudy(
        "Thylakoid membrane architecture in Arabidopsis leaf chloroplasts",
        "Serial block-face SEM of mesophyll cells from mature rosette leaves, grown under low and high light, "
        "for three-dimensional grana stack reconstruction.",
        ARABIDOPSIS,
        SBF_SEM,
        ("chloroplast", "thylakoid", "photosynthesis", "volume EM"),
        (5, 3),
    ),
    DemoStudy(
        "Dpp gradient and growth of the Drosophila wing imaginal disc",
        "Confocal images of Dad-GFP and anti-pMad staining in third-instar wing discs at five developmental "
        "stages, for measuring gradient scaling with tissue size.",
        FLY,
        CONFOCAL,
        ("morphogen gradient", "Dpp", "wing disc", "growth control"),
        (8, 4),
        revision="Re-exported the stacks with the correct voxel size in the TIFF metadata.",
    ),
    DemoStudy(
        "Germband extension in Drosophila embryos",
        "Multi-view light-sheet recordings of Gap43-mCherry embryos during stages 6 to 9, capturing cell "
        "intercalation and rosette formation in the ventral germband.",
        FLY,
        LIGHT_SHEET,
        ("gastrulation", "cell intercalation", "morphogenesis", "embryo"),
        (9, 1),
        owner="bob",
    ),
    DemoStudy(
        "Active zone organisation at Drosophila larval neuromuscular boutons",
        "STED images of Bruchpilot and RIM-binding protein at type Ib boutons of muscle 4, revealing the ring "
        "organisation of individual active zones.",
        FLY,
        STED,
        ("active zone", "Bruchpilot", "synapse", "neuromuscular junction"),
        (10, 13),
    ),
    DemoStudy(
        "Mushroom body calyx of the adult Drosophila brain by serial block-face SEM",
        "Serial block-face SEM of the mushroom body calyx of a 5-day-old female, for reconstructing projection "
        "neuron boutons and Kenyon cell claws.",
        FLY,
        SBF_SEM,
        ("mushroom body", "connectomics", "olfaction", "volume EM"),
        (3, 7),
    ),
    DemoStudy(
        "Septin ring assembly during budding in Saccharomyces cerevisiae",
        "Widefield time-lapse of Cdc12-GFP cells in microfluidic chambers, imaged every 3 min across several "
        "cell cycles.",
        YEAST,
        WIDEFIELD,
        ("septins", "cell polarity", "budding yeast", "cytokinesis"),
        (12, 5),
        owner="bob",
        fate="hidden",
        reason="error",
        note="Wrong strain listed in the metadata; the submitters are correcting it.",
    ),
    DemoStudy(
        "Lipid droplet biogenesis in budding yeast after nitrogen starvation",
        "Confocal images of Erg6-mCherry and Sec63-GFP cells at 0, 2, 4 and 8 h of nitrogen starvation, for "
        "lipid droplet counting and ER contact analysis.",
        YEAST,
        CONFOCAL,
        ("lipid droplets", "endoplasmic reticulum", "starvation", "organelle contacts"),
        (7, 11),
    ),
    DemoStudy(
        "Cell wall ultrastructure of Saccharomyces cerevisiae after caspofungin",
        "TEM of high-pressure-frozen cells treated with sub-inhibitory caspofungin for 1 and 3 h, showing "
        "thinning of the inner glucan layer.",
        YEAST,
        TEM,
        ("cell wall", "antifungal", "caspofungin", "ultrastructure"),
        (11, 6),
        fate="removed",
        reason="investigation",
        note="Withdrawn at the request of an institutional investigation.",
    ),
    DemoStudy(
        "Whole-cell volumes of budding yeast by serial block-face SEM",
        "Serial block-face SEM of logarithmic-phase cells at 5 nm pixels, with manual segmentation of "
        "mitochondria, vacuoles and nuclei for 40 complete cells.",
        YEAST,
        SBF_SEM,
        ("organelle segmentation", "volume EM", "budding yeast"),
        (2, 3),
        fate="confidential",
    ),
    DemoStudy(
        "Embryonic cell lineage of Caenorhabditis elegans to the 350-cell stage",
        "Light-sheet recordings of embryos expressing histone-mCherry imaged every 75 s from the 4-cell stage, "
        "with automated lineage tracing and manual curation.",
        WORM,
        LIGHT_SHEET,
        ("cell lineage", "embryogenesis", "nuclei tracking", "C. elegans"),
        (9, 12),
    ),
    DemoStudy(
        "Germline apoptosis in Caenorhabditis elegans hermaphrodites",
        "Widefield images of CED-1::GFP engulfment in the gonad loop of adults exposed to ionising radiation or "
        "ethyl methanesulfonate.",
        WORM,
        WIDEFIELD,
        ("apoptosis", "germline", "DNA damage", "C. elegans"),
        (6, 4),
        owner="bob",
        fate="obsolete",
        reason="error",
        note="Exposure times were mislabelled; see the corrected entry.",
    ),
    DemoStudy(
        "Nerve ring of Caenorhabditis elegans by serial block-face SEM",
        "Serial block-face SEM of the nerve ring of an L4 hermaphrodite at 8 nm isotropic resolution, for "
        "comparing synaptic connectivity with the published wiring diagram.",
        WORM,
        SBF_SEM,
        ("nerve ring", "connectome", "neurons", "volume EM"),
        (13, 3),
    ),
    DemoStudy(
        "Dauer larva cuticle ultrastructure in Caenorhabditis elegans",
        "TEM cross-sections of daf-2(e1370) dauer larvae and L3 controls, showing the striated cuticle layer "
        "and the constricted pharynx.",
        WORM,
        TEM,
        ("dauer", "cuticle", "insulin signalling", "ultrastructure"),
        (5, 8),
    ),
    DemoStudy(
        "Organelle segmentation of whole HeLa cells by serial block-face SEM",
        "Imported from EMPIAR: serial block-face SEM of high-pressure-frozen HeLa cells with reference "
        "segmentations of nuclei, mitochondria and the Golgi apparatus for training segmentation models.",
        HELA,
        SBF_SEM,
        ("volume EM", "segmentation", "ground truth", "HeLa"),
        (1, 2),
        owner="carol",
        source_id="EMPIAR-10982",
    ),
    DemoStudy(
        "Beta-cell ultrastructure in mouse pancreatic islets",
        "Imported from EMPIAR: serial block-face SEM of islets from lean and ob/ob mice, with insulin granule "
        "and mitochondria annotations.",
        MOUSE,
        SBF_SEM,
        ("pancreatic islets", "insulin granules", "diabetes", "volume EM"),
        (4, 0),
        owner="carol",
        source_id="EMPIAR-11051",
    ),
    DemoStudy(
        "Hepatocyte mitochondria–ER contacts in fasted mouse liver",
        "Imported from EMPIAR: TEM montages of hepatocytes from fed and 24 h fasted mice, for quantifying "
        "mitochondria–ER contact length.",
        MOUSE,
        TEM,
        ("liver", "organelle contacts", "fasting", "mitochondria"),
        (11, 9),
        owner="carol",
        source_id="EMPIAR-11263",
    ),
    DemoStudy(
        "Hair follicle stem cell niche in mouse back skin",
        "Whole-mount confocal images of telogen and anagen hair follicles stained for K15, Sox9 and Ki67, for "
        "mapping stem cell activation at the start of the hair cycle.",
        MOUSE,
        CONFOCAL,
        ("hair follicle", "stem cells", "skin", "whole mount"),
        (12, 7),
        fate="confidential",
    ),
    DemoStudy(
        "Cilia length in zebrafish Kupffer's vesicle measured by STED",
        "STED images of acetylated tubulin in Kupffer's vesicle of 8-somite embryos, comparing cilia length and "
        "orientation in wild type and left–right asymmetry mutants.",
        ZEBRAFISH,
        STED,
        ("cilia", "left-right asymmetry", "Kupffer's vesicle", "embryo"),
        (0, 13),
    ),
]
