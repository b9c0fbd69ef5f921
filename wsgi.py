from hotline import create_app, logs
from hotline.config import check_for_serving, from_environment

logs.configure()  # JSON lines on standard error, no phone number or NIK in them
check_for_serving(from_environment())  # SECRET_KEY set (outside demo mode), demo mode without a real token
app = create_app()
